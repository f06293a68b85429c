package monitor

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/rootless/volume"
	"github.com/rl-containers/rl/userns"
)

// A detached container is supervised by a monitor of its own, as conmon
// does for podman: rl re-executed with envMonitor set, in a session of its
// own, which starts the container, relays its output to the log, records
// its exit and applies --restart. It starts once its fd 4 says go (a byte:
// the front end may start it before the container exists, spawn.go), and
// tells the front end how the start went on fd 3 (one JSON Result) and,
// until then, copies its own messages to the front end's stderr through
// its fd 2.
const envMonitor = "_RL_MONITOR"

// monitorArgs is envMonitor's value.
type monitorArgs struct {
	Store store.Store `json:"store"`
	ID    string      `json:"id"`
}

// IsMonitor is true in a process started as a container's monitor.
func IsMonitor() bool { return os.Getenv(envMonitor) != "" }

// RunMonitor is the monitor's main function (see envMonitor); it returns
// its exit code. A failure to start goes to the front end as a Result,
// whose hints are the front end's to give.
func RunMonitor() int {
	var a monitorArgs
	if err := json.Unmarshal([]byte(os.Getenv(envMonitor)), &a); err != nil {
		fmt.Fprintln(os.Stderr, "rl: monitor:", err)
		return 125
	}
	os.Unsetenv(envMonitor)
	// The front end may be gone (^C) while our stderr is still its pipe:
	// a write there must fail, not kill us and the container with us.
	signal.Notify(make(chan os.Signal, 1), unix.SIGPIPE)
	unix.CloseOnExec(3)
	unix.CloseOnExec(4)
	result := os.NewFile(3, "result")
	if !awaitGo(os.NewFile(4, "go")) {
		return 0 // the front end gave up: no container to start
	}
	c := &store.Container{Store: a.Store, State: store.State{ID: a.ID}}
	var once sync.Once
	report := func(err error) {
		once.Do(func() {
			_ = json.NewEncoder(result).Encode(NewResult(err))
			result.Close()
			// Nobody reads our stderr from now on: keep our messages
			// with the container.
			f, err := os.OpenFile(filepath.Join(c.DataDir(), "monitor.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
			if err != nil {
				f, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			}
			if err == nil {
				_ = unix.Dup2(int(f.Fd()), 2)
				f.Close()
			}
		})
	}
	err := supervise(c, report)
	report(err)
	if err != nil {
		slog.Error(err.Error())
		return 1
	}
	return 0
}

// supervise starts the container, restarting it as its --restart policy
// says, and records each exit; report is called once, when the first
// start succeeded or failed.
func supervise(c *store.Container, report func(error)) error {
	unlock, err := c.LockMonitor(false)
	if err != nil {
		return err
	}
	defer unlock()
	if err := c.ReadState(); err != nil {
		return fmt.Errorf("reading the state of %.12s: %w", c.State.ID, err)
	}
	// Recorded before the container exists, so that rl rm -f can end a
	// start that is under way.
	c.State.Monitor = store.ProcessOf(os.Getpid())
	if err := c.Save(); err != nil {
		return err
	}
	r, err := c.Record()
	if err != nil {
		return err
	}
	// Its warning (no subordinate ids) was the front end's to give.
	maps, _, err := userns.ForCaller(r.Options.Userns, r.Options.IDMaps)
	if err != nil {
		return err
	}
	var log *logFile
	if path := LogPath(c, r.Options.Log); path != "" {
		if log, err = openLog(path, r.Options.Log.Size); err != nil {
			return err
		}
		defer log.Close()
	}
	_ = os.Remove(c.StopMarker())
	var restartNow atomic.Bool // --health-on-failure restart
	for {
		st, drained, err := log.streams(r.Options.Interactive)
		if err != nil {
			return err
		}
		stopHealth := make(chan struct{})
		st.Started = func() {
			// rl stop or rl kill came as this run of --restart began,
			// while the state had no pid for it to signal. Checked
			// before the front end hears of the start: a stop that it
			// sends after that signals the recorded pid itself, and
			// must not find this kill too (which made the command die
			// of SIGKILL at once instead of its stop signal).
			if store.Exists(c.StopMarker()) {
				_ = unix.Kill(c.State.Pid, unix.SIGKILL)
			}
			report(nil)
			if r.Options.Health.Cmd != "" {
				go checkHealth(c, r.Options, stopHealth, func(action string) { onUnhealthy(c, r, action, &restartNow) })
			}
			trimResident()
		}
		code, err := Start(c, r, maps, st, nil)
		st.Spawned() // when the start failed before spawning
		drained()
		close(stopHealth)
		c.State.Pid = 0 // the init is gone: nothing to signal until the next run
		if err != nil {
			code = launch.ExitCode(err)
			c.State.Status, c.State.Error, c.State.ExitCode, c.State.Finished = store.StatusExited, err.Error(), code, time.Now()
			_ = c.Save()
			return err
		}
		if !restartNow.Swap(false) && !r.Options.Restart.Wants(code, c.State.Restarts, store.Exists(c.StopMarker())) {
			break
		}
		c.State.Restarts++
		c.State.Status = store.StatusRestarting
		if err := c.Save(); err != nil {
			return err
		}
		if !pause(c, r.Options.Restart.Delay(c.State.Restarts)) {
			c.State.Status = store.StatusExited // rl stop came during the pause
			break
		}
	}
	defer EndPodIfDone(c, r.Options.Labels)
	if r.Options.Remove {
		c.RecordExit()
		if err := c.RemoveLocked(); err != nil {
			return err
		}
		return volume.New(c.Store).RemoveAnonymous(r.Spec)
	}
	return c.Save()
}

// pause waits d before a restart, and returns false as soon as rl stop
// or rl kill asks the container to end (their marker appears).
func pause(c *store.Container, d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); {
		if store.Exists(c.StopMarker()) {
			return false
		}
		time.Sleep(min(50*time.Millisecond, time.Until(end)))
	}
	return !store.Exists(c.StopMarker())
}

// streams connects the container to the log (l nil: to nothing): its
// stdout and stderr through pipes (or its terminal's output with -t), its
// stdin a pipe that stays open with -i (as docker run -di keeps it), else
// /dev/null. drained waits until everything the container wrote is in
// the log.
func (l *logFile) streams(interactive bool) (st launch.Streams, drained func(), err error) {
	var stdinW *os.File
	if interactive {
		if st.Stdio[0], stdinW, err = os.Pipe(); err != nil {
			return st, nil, fmt.Errorf("creating the stdin pipe: %w", err)
		}
		stdinR := st.Stdio[0]
		st.Spawned = func() { stdinR.Close() }
	}
	var outs [2]io.Writer
	var logged []*logStream
	if l != nil {
		logged = []*logStream{l.stream("stdout"), l.stream("stderr")}
		outs = [2]io.Writer{logged[0], logged[1]}
	}
	relayed, err := relayStreams(&st, nil, outs)
	if err != nil {
		return st, nil, err
	}
	return st, func() {
		relayed()
		for _, s := range logged {
			s.flush()
		}
		if stdinW != nil {
			stdinW.Close()
		}
	}, nil
}

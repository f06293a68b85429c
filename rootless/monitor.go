package rootless

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/userns"
)

// A detached container is supervised by a monitor of its own, as conmon
// does for podman: rl re-executed with envMonitor set, in a session of its
// own, which starts the container, relays its output to the log, records
// its exit and applies --restart. It tells the front end how the start
// went on fd 3 (one JSON monitorResult) and, until then, copies its own
// messages to the front end's stderr through its fd 2.
const envMonitor = "_RL_MONITOR"

// monitorArgs is envMonitor's value.
type monitorArgs struct {
	Store Store  `json:"store"`
	ID    string `json:"id"`
}

// monitorResult is what the monitor reports once the container's command
// runs, or failed to start.
type monitorResult struct {
	Error string `json:"error,omitempty"`
	Code  int    `json:"code,omitempty"`
}

// IsMonitor is true in a process started as a container's monitor.
func IsMonitor() bool { return os.Getenv(envMonitor) != "" }

// RunMonitor is the monitor's main function (see envMonitor); it returns
// its exit code. advice turns a failure to start into the front end's
// words for it, hints included: the front end gets only the text.
func RunMonitor(advice func(error) string) int {
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
	result := os.NewFile(3, "result")
	c := &container{store: a.Store, state: State{ID: a.ID}}
	var once sync.Once
	report := func(err error) {
		once.Do(func() {
			r := monitorResult{}
			if err != nil {
				r.Error, r.Code = advice(err), ExitCode(err)
			}
			_ = json.NewEncoder(result).Encode(r)
			result.Close()
			// Nobody reads our stderr from now on: keep our messages
			// with the container.
			f, err := os.OpenFile(filepath.Join(c.dataDir(), "monitor.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
			if err != nil {
				f, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			}
			if err == nil {
				_ = unix.Dup2(int(f.Fd()), 2)
				f.Close()
			}
		})
	}
	err := c.monitor(report)
	report(err)
	if err != nil {
		slog.Error(err.Error())
		return 1
	}
	return 0
}

// monitor starts the container, restarting it as its --restart policy
// says, and records each exit; report is called once, when the first
// start succeeded or failed.
func (c *container) monitor(report func(error)) error {
	unlock, err := c.lockMonitor(false)
	if err != nil {
		return err
	}
	defer unlock()
	if err := c.readState(); err != nil {
		return fmt.Errorf("reading the state of %.12s: %w", c.state.ID, err)
	}
	// Recorded before the container exists, so that rl rm -f can end a
	// start that is under way.
	c.state.Monitor = processOf(os.Getpid())
	if err := c.saveState(); err != nil {
		return err
	}
	l, err := c.readLaunch()
	if err != nil {
		return err
	}
	// Its warning (no subordinate ids) was the front end's to give.
	maps, _, err := userns.ForCaller(l.Options.Userns)
	if err != nil {
		return err
	}
	log, err := openLog(c.logPath())
	if err != nil {
		return err
	}
	defer log.Close()
	_ = os.Remove(c.stopMarker())
	for {
		st, drained, err := log.streams(l.Options.Interactive)
		if err != nil {
			return err
		}
		stopHealth := make(chan struct{})
		st.started = func() {
			report(nil)
			if exists(c.stopMarker()) {
				// rl stop or rl kill came as this run of --restart began.
				_ = unix.Kill(c.state.Pid, unix.SIGKILL)
			}
			if l.Options.Health.Cmd != "" {
				go c.checkHealth(l.Options.Health, stopHealth)
			}
		}
		code, err := c.start(l, maps, st, nil)
		st.spawned() // when the start failed before spawning
		drained()
		close(stopHealth)
		c.state.Pid = 0 // the init is gone: nothing to signal until the next run
		if err != nil {
			code = ExitCode(err)
			c.state.Status, c.state.Error, c.state.ExitCode, c.state.Finished = StatusExited, err.Error(), code, time.Now()
			_ = c.saveState()
			return err
		}
		if !l.Options.Restart.wants(code, c.state.Restarts, exists(c.stopMarker())) {
			break
		}
		c.state.Restarts++
		c.state.Status = StatusRestarting
		if err := c.saveState(); err != nil {
			return err
		}
		if !c.pause(l.Options.Restart.delay(c.state.Restarts)) {
			c.state.Status = StatusExited // rl stop came during the pause
			break
		}
	}
	if l.Options.Remove {
		c.recordExit()
		return c.store.removeLocked(c)
	}
	return c.saveState()
}

// pause waits d before a restart, and returns false as soon as rl stop
// or rl kill asks the container to end (their marker appears).
func (c *container) pause(d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); {
		if exists(c.stopMarker()) {
			return false
		}
		time.Sleep(min(50*time.Millisecond, time.Until(end)))
	}
	return !exists(c.stopMarker())
}

// streams connects the container to the log: its stdout and stderr
// through pipes (or its terminal's output with -t), its stdin a pipe that
// stays open with -i (as docker run -di keeps it), else /dev/null.
// drained waits until everything the container wrote is in the log.
func (l *logFile) streams(interactive bool) (st streams, drained func(), err error) {
	var wg sync.WaitGroup
	var closers []*os.File
	relay := func(name string) (*os.File, error) {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, fmt.Errorf("creating the log pipe: %w", err)
		}
		s := l.stream(name)
		wg.Go(func() {
			_, _ = io.Copy(s, r)
			s.flush()
			r.Close()
		})
		closers = append(closers, w)
		return w, nil
	}
	for i, name := range []string{"stdout", "stderr"} {
		if st.stdio[i+1], err = relay(name); err != nil {
			return st, nil, err
		}
	}
	var stdinW *os.File
	if interactive {
		if st.stdio[0], stdinW, err = os.Pipe(); err != nil {
			return st, nil, fmt.Errorf("creating the stdin pipe: %w", err)
		}
		closers = append(closers, st.stdio[0])
	}
	var once sync.Once
	st.spawned = func() {
		once.Do(func() {
			for _, f := range closers {
				f.Close()
			}
		})
	}
	tty := l.stream("stdout")
	st.attach = func(master *os.File) (*terminal, error) { return attachTerminal(master, nil, tty) }
	return st, func() {
		wg.Wait()
		tty.flush() // the terminal's output ended with the container
		if stdinW != nil {
			stdinW.Close()
		}
	}, nil
}

// startDetached starts c under a monitor of its own and returns once the
// container's command runs, or with the reason it could not start.
func (c *container) startDetached() error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding rl: %w", err)
	}
	arg, err := json.Marshal(monitorArgs{Store: c.store, ID: c.state.ID})
	if err != nil {
		return err
	}
	resultR, resultW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer resultR.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		resultW.Close()
		return err
	}
	// ps shows it as "rl monitor ID", as conmon shows podman's.
	cmd := &exec.Cmd{Path: self, Args: []string{"rl", "monitor", c.state.ID[:12]}}
	cmd.Env = append(os.Environ(), envMonitor+"="+string(arg))
	cmd.Dir = "/"
	cmd.Stderr = errW
	cmd.ExtraFiles = []*os.File{resultW}
	// A session of its own: the monitor outlives the terminal and the
	// shell that started it.
	cmd.SysProcAttr = &unix.SysProcAttr{Setsid: true}
	err = cmd.Start()
	resultW.Close()
	errW.Close()
	if err != nil {
		errR.Close()
		return fmt.Errorf("starting the container's monitor: %w", err)
	}
	crashpoint("monitor")
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(os.Stderr, errR)
		errR.Close()
		close(copied)
	}()
	var r monitorResult
	dec := json.NewDecoder(resultR)
	if err := dec.Decode(&r); err != nil {
		// It died before reporting: reap it, so its status is known.
		state, _ := cmd.Process.Wait()
		<-copied
		return fmt.Errorf("the container's monitor exited before starting it (%v)", state)
	}
	<-copied
	_ = cmd.Process.Release()
	if r.Error != "" {
		return &ExitError{Code: r.Code, Err: errors.New(r.Error)}
	}
	return nil
}

// recordExit leaves the exit code of a container that is removed as it
// exits (--rm) for rl wait: RunRoot/exits/ID, as podman's exits directory.
func (c *container) recordExit() {
	dir := filepath.Join(c.store.RunRoot, "exits")
	if os.MkdirAll(dir, 0o700) == nil {
		_ = writeAtomic(filepath.Join(dir, c.state.ID), fmt.Appendf(nil, "%d\n", c.state.ExitCode))
	}
}

// stopMarker exists while rl stop or rl kill ends the container: its exit
// was asked for, so --restart does not restart it.
func (c *container) stopMarker() string { return filepath.Join(c.runDir(), "stopping") }

// lockMonitor takes the lock that a container's monitor holds for its
// whole life: flock(2) on the container's data directory. With wait, it
// blocks until the monitor is gone (or the container, removed); without,
// a held lock is an error. The kernel drops the lock when its holder
// dies, however it dies.
func (c *container) lockMonitor(wait bool) (unlock func(), err error) {
	how := unix.LOCK_EX | unix.LOCK_NB
	if wait {
		how = unix.LOCK_EX
	}
	f, err := os.Open(c.dataDir())
	if err == nil {
		err = flock(f, how)
		if err != nil {
			f.Close()
		}
	}
	if errors.Is(err, unix.EWOULDBLOCK) {
		return nil, fmt.Errorf("container %.12s is %w", c.state.ID, errLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("locking container %.12s: %w", c.state.ID, err)
	}
	return func() { f.Close() }, nil
}

// errLocked is wrapped by lockMonitor's error for a lock that a monitor
// holds.
var errLocked = errors.New("running already")

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

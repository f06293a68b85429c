package monitor

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/userns"
)

// LogPath is where the container's log is: --log-opt path=, else ctr.log
// in its data directory ("" when its driver keeps no log).
func LogPath(c *store.Container, l config.Log) string {
	switch {
	case !l.Logs():
		return ""
	case l.Path != "":
		return l.Path
	}
	return c.LogPath()
}

// errNotLogging is podman's refusal of podman logs for a container whose
// driver keeps nothing.
func errNotLogging(driver string) error {
	return fmt.Errorf("this container is using the '%s' log driver, cannot read logs: this container is not logging output", driver)
}

// RunForeground runs the container c made from its record r in the
// foreground, with rl's stdio, and returns its command's exit code. As
// podman's conmon does, what it writes also goes to its log (unless its
// driver is none or passthrough, or it is removed as it exits): the
// streams it is attached to are copied to rl's stdout and stderr, the
// others only to the log. booted is its launch's start (Preboot), or nil.
func RunForeground(c *store.Container, r *config.Record, maps userns.Mappings, preserved []*os.File, booted *launch.Booted) (int, error) {
	o := r.Options
	st := launch.Foreground(o.Interactive, o.TTY)
	if ownStdio(o) {
		// Nothing to copy: the container writes to rl's stdio itself.
		return start(c, r, maps, st, preserved, booted)
	}
	booted.Abort() // its rl-init has rl's stdio, not the relay's pipes
	var log *logFile
	if o.Log.Logs() && !o.Remove {
		var err error
		if log, err = openLog(LogPath(c, o.Log), o.Log.Size); err != nil {
			return 125, err
		}
		defer log.Close()
	}
	var outs [2]io.Writer
	var logged []*logStream
	for i, name := range []string{"stdout", "stderr"} {
		var w []io.Writer
		if o.Lifecycle.Attached(name) {
			w = append(w, st.Stdio[i+1])
		}
		if log != nil {
			s := log.stream(name)
			logged = append(logged, s)
			w = append(w, s)
		}
		if len(w) > 0 {
			outs[i] = io.MultiWriter(w...)
		}
	}
	if !o.Lifecycle.Attached("stdout") && !o.Lifecycle.Attached("stderr") {
		fmt.Println(c.State.ID) // podman's run -a stdin
	}
	var in *os.File
	if o.Interactive {
		in = os.Stdin
	}
	// A reader that goes away (rl run ... | head -1) must end the
	// container, not rl: our copy fails with EPIPE and closes the pipe,
	// so the container's next write fails as it would have without us.
	// Caught, not ignored: an ignored signal would stay ignored in the
	// container's command across execve(2).
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, unix.SIGPIPE)
	defer signal.Stop(pipe)
	drained, err := relayStreams(&st, in, outs)
	if err != nil {
		return 125, err
	}
	code, err := Start(c, r, maps, st, preserved)
	st.Spawned() // when the start failed before spawning
	drained()
	for _, s := range logged {
		s.flush()
	}
	return code, err
}

// relayStreams connects the container's stdout and stderr to pipes whose
// output goes to outs (nil: /dev/null), and its terminal's output, with
// -t, to outs[0]; in is what the terminal reads (nil: nothing). drained
// waits until everything the container wrote is copied.
func relayStreams(st *launch.Streams, in *os.File, outs [2]io.Writer) (drained func(), err error) {
	var wg sync.WaitGroup
	var closers []*os.File
	for i, out := range outs {
		st.Stdio[i+1] = nil
		if out == nil {
			continue
		}
		r, w, err := os.Pipe()
		if err != nil {
			for _, f := range closers {
				f.Close()
			}
			return nil, fmt.Errorf("creating the log pipe: %w", err)
		}
		wg.Go(func() {
			_, _ = io.Copy(out, r)
			r.Close()
		})
		st.Stdio[i+1] = w
		closers = append(closers, w)
	}
	spawned := st.Spawned
	var once sync.Once
	st.Spawned = func() {
		once.Do(func() {
			for _, f := range closers {
				f.Close()
			}
			if spawned != nil {
				spawned()
			}
		})
	}
	tty := outs[0]
	if tty == nil {
		tty = io.Discard
	}
	st.Attach = func(master *os.File) (*launch.Terminal, error) { return launch.AttachTerminal(master, in, tty) }
	return wg.Wait, nil
}

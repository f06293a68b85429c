package launch

import (
	"io"
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// Terminal relays between rl's stdio and the master of the container's
// pty. A nil *Terminal is a container without -t.
type Terminal struct {
	master   *os.File
	restore  *term.State
	drained  chan struct{}
	resizeFd int
}

// Streams connect a container's stdio.
type Streams struct {
	// stdio become the container's fds 0-2 without -t (nil: /dev/null).
	Stdio [3]*os.File
	// attach relays the pty master of a container with -t.
	Attach func(master *os.File) (*Terminal, error)
	// spawned runs once rl-init holds its copies of stdio, started once
	// the command runs.
	Spawned, Started func()
}

// Foreground connects the container to rl's own stdio (stdin with
// interactive).
func Foreground(interactive, tty bool) Streams {
	nothing := func() {}
	st := Streams{Stdio: [3]*os.File{nil, os.Stdout, os.Stderr}, Spawned: nothing, Started: nothing}
	var in *os.File
	if interactive {
		in = os.Stdin
		if !tty {
			st.Stdio[0] = os.Stdin
		}
	}
	st.Attach = func(master *os.File) (*Terminal, error) { return AttachTerminal(master, in, os.Stdout) }
	return st
}

// AttachTerminal starts relaying the pty master: its output to out, and
// in (unless nil) to it, with our Terminal in raw mode so that keys like
// ^C reach the container's line discipline instead of killing rl.
func AttachTerminal(master, in *os.File, out io.Writer) (*Terminal, error) {
	t := &Terminal{master: master, drained: make(chan struct{}), resizeFd: -1}
	for _, fd := range []int{int(os.Stdin.Fd()), int(os.Stdout.Fd())} {
		if term.IsTerminal(fd) {
			t.resizeFd = fd
			break
		}
	}
	t.resize()
	if in != nil {
		if fd := int(in.Fd()); term.IsTerminal(fd) {
			st, err := term.MakeRaw(fd)
			if err != nil {
				return nil, err
			}
			t.restore = st
		}
		go func() { _, _ = io.Copy(master, in) }()
	}
	go func() {
		// Reading the master fails with EIO once every slave fd is
		// closed, that is when the container has exited.
		_, _ = io.Copy(out, master)
		close(t.drained)
	}()
	return t, nil
}

// resize copies our Terminal's window size to the pty; the kernel then
// sends SIGWINCH to the container's foreground process group.
func (t *Terminal) resize() {
	if t == nil || t.resizeFd < 0 {
		return
	}
	ws, err := unix.IoctlGetWinsize(t.resizeFd, unix.TIOCGWINSZ)
	if err != nil {
		return
	}
	_ = unix.IoctlSetWinsize(int(t.master.Fd()), unix.TIOCSWINSZ, ws)
}

// close waits for the container's output to drain and restores our
// Terminal.
func (t *Terminal) Close() {
	if t == nil {
		return
	}
	<-t.drained
	t.master.Close()
	if t.restore != nil {
		_ = term.Restore(int(os.Stdin.Fd()), t.restore)
	}
}

// Forwarded are the signals that rl passes on to the container.
var Forwarded = []os.Signal{
	unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT,
	unix.SIGUSR1, unix.SIGUSR2, unix.SIGWINCH,
}

// Relay catches the forwarded signals until stop is called; Forward
// passes them on once the container runs. stop returns at once:
// signal.Stop waits, spinning, until the runtime's signal loop is idle
// (0.1 to 0.8 ms at the end of a foreground run), and rl need not.
func Relay() (sigs chan os.Signal, stop func()) {
	sigs = make(chan os.Signal, 32)
	signal.Notify(sigs, Forwarded...)
	return sigs, func() {
		go func() {
			signal.Stop(sigs)
			close(sigs) // ends Forward
		}()
	}
}

// Forward passes signals to the container's init until sigs is stopped.
// With a Terminal, SIGWINCH becomes a resize of the pty instead.
func Forward(sigs chan os.Signal, pid int, t *Terminal) {
	for sig := range sigs {
		if sig == unix.SIGWINCH && t != nil {
			t.resize()
			continue
		}
		_ = unix.Kill(pid, sig.(unix.Signal))
	}
}

package rootless

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// terminal relays between rl's stdio and the master of the container's
// pty. A nil *terminal is a container without -t.
type terminal struct {
	master   *os.File
	restore  *term.State
	drained  chan struct{}
	resizeFd int
}

// streams connect a container's stdio.
type streams struct {
	// stdio become the container's fds 0-2 without -t (nil: /dev/null).
	stdio [3]*os.File
	// attach relays the pty master of a container with -t.
	attach func(master *os.File) (*terminal, error)
	// spawned runs once rl-init holds its copies of stdio, started once
	// the command runs.
	spawned, started func()
}

// foreground connects the container to rl's own stdio (stdin with -i).
func foreground(opts RunOptions) streams {
	nothing := func() {}
	st := streams{stdio: [3]*os.File{nil, os.Stdout, os.Stderr}, spawned: nothing, started: nothing}
	var in *os.File
	if opts.Interactive {
		in = os.Stdin
		if !opts.TTY {
			st.stdio[0] = os.Stdin
		}
	}
	st.attach = func(master *os.File) (*terminal, error) { return attachTerminal(master, in, os.Stdout) }
	return st
}

// attachTerminal starts relaying the pty master: its output to out, and
// in (unless nil) to it, with our terminal in raw mode so that keys like
// ^C reach the container's line discipline instead of killing rl.
func attachTerminal(master, in *os.File, out io.Writer) (*terminal, error) {
	t := &terminal{master: master, drained: make(chan struct{}), resizeFd: -1}
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

// resize copies our terminal's window size to the pty; the kernel then
// sends SIGWINCH to the container's foreground process group.
func (t *terminal) resize() {
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
// terminal.
func (t *terminal) close() {
	if t == nil {
		return
	}
	<-t.drained
	t.master.Close()
	if t.restore != nil {
		_ = term.Restore(int(os.Stdin.Fd()), t.restore)
	}
}

// forward passes signals to the container's init until sigs is stopped.
// With a terminal, SIGWINCH becomes a resize of the pty instead.
func forward(sigs chan os.Signal, pid int, t *terminal) {
	for sig := range sigs {
		if sig == unix.SIGWINCH && t != nil {
			t.resize()
			continue
		}
		_ = unix.Kill(pid, sig.(unix.Signal))
	}
}

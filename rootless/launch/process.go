package launch

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/handshake"
)

// ErrNoInit is returned when rl-init is not installed beside rl.
var ErrNoInit = errors.New("rl-init not found beside rl")

// NamespaceError is a failure to clone rl-init into new namespaces.
type NamespaceError struct{ Err error }

func (e *NamespaceError) Error() string { return "creating namespaces: " + e.Err.Error() }
func (e *NamespaceError) Unwrap() error { return e.Err }

// Helper finds one of rl's helper programs (rl-init, rl-image) in the
// directory of the running rl binary; when it is missing, the error wraps
// notFound.
func Helper(name string, notFound error) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding %s: %w", name, err)
	}
	p := filepath.Join(filepath.Dir(self), name)
	if err := unix.Access(p, unix.X_OK); err != nil {
		return "", fmt.Errorf("%w: %s: %w (install rl and its helpers rl-init, rl-image and rl-kube together: make install)", notFound, p, err)
	}
	return p, nil
}

// InitPath finds rl-init beside rl.
func InitPath() (string, error) { return Helper("rl-init", ErrNoInit) }

// initEnv is rl-init's environment: its sync socket's fd, after the n
// preserved ones, and its exit pipe's after that, and whether it must run
// from a sealed copy of itself.
func initEnv(path string, n int) []string {
	env := []string{handshake.EnvSyncFD + "=" + strconv.Itoa(3+n), handshake.EnvExitFD + "=" + strconv.Itoa(4+n)}
	var st unix.Stat_t
	if unix.Stat(path, &st) != nil || sealNeeded(st.Uid, st.Mode, os.Geteuid()) {
		env = append(env, handshake.EnvSeal+"=1")
	}
	return env
}

// sealNeeded reports whether rl-init, owned by owner with mode, must run
// from a sealed copy (cmd/rl-init/stage1.go) for a front end of euid:
// unless root owns it and only root may write it while we are not root,
// the container's root (we, or an id we map, or real root) could open it
// through /proc/PID/exe and overwrite it (CVE-2019-5736). The copy costs
// a few milliseconds a start, so a system-wide install goes without.
func sealNeeded(owner, mode uint32, euid int) bool {
	return euid == 0 || owner != 0 || mode&0o022 != 0
}

// Process is a running rl-init and the front end's end of its sync
// socket.
type Process struct {
	// Pid is rl-init's host pid.
	Pid  int
	sock *os.File
	// wait reaps rl-init and returns its wait status.
	wait   func() unix.WaitStatus
	kill   func()
	reaped bool
	status unix.WaitStatus
	// gone is closed once rl-init is reaped, which, for the parent of a
	// forked init, may come after Wait has its exit code (the exit pipe).
	gone chan struct{}
}

// awaitGone waits, after Wait, until rl-init is reaped.
func (p *Process) awaitGone() {
	if p.gone != nil {
		<-p.gone
	}
}

// clone starts rl-init cloned with flags. stdio become its fds 0-2,
// preserved its fds 3 and up; its end of the sync socket comes after
// those.
func clone(flags uintptr, stdio [3]*os.File, preserved []*os.File) (*Process, error) {
	path, err := InitPath()
	if err != nil {
		return nil, err
	}
	parentSock, childSock, err := handshake.Pair()
	if err != nil {
		return nil, err
	}
	defer childSock.Close()
	exitR, exitW, err := os.Pipe()
	if err != nil {
		parentSock.Close()
		return nil, fmt.Errorf("creating rl-init's exit pipe: %w", err)
	}
	defer exitW.Close()
	cmd := &exec.Cmd{
		Path:       path,
		Args:       []string{"rl-init"},
		Env:        initEnv(path, len(preserved)),
		Stdin:      stdio[0],
		Stdout:     stdio[1],
		Stderr:     stdio[2],
		ExtraFiles: append(append([]*os.File(nil), preserved...), childSock, exitW),
		SysProcAttr: &unix.SysProcAttr{
			Cloneflags: flags,
			Setsid:     true,
			// If rl dies, so does the container.
			Pdeathsig: unix.SIGKILL,
		},
	}
	if err := cmd.Start(); err != nil {
		parentSock.Close()
		exitR.Close()
		return nil, &NamespaceError{Err: err}
	}
	gone := make(chan struct{})
	return &Process{
		Pid:  cmd.Process.Pid,
		sock: parentSock,
		gone: gone,
		wait: func() unix.WaitStatus {
			defer exitR.Close()
			var code [1]byte
			if n, _ := exitR.Read(code[:]); n == 1 {
				// The parent of a forked init said how it ended; it is
				// reaped once its exit has torn the namespaces down.
				reaping.reap(cmd, gone)
				return unix.WaitStatus(int(code[0]) << 8)
			}
			// Any other rl-init closes the pipe as it exits, without a word.
			defer close(gone)
			_ = cmd.Wait()
			ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
			return unix.WaitStatus(ws)
		},
		kill: func() { _ = cmd.Process.Kill() },
	}, nil
}

func (p *Process) send(m handshake.Message) error {
	return handshake.Send(int(p.sock.Fd()), m)
}

// said is true when rl-init has a message waiting (or has closed its end).
func (p *Process) said() bool {
	fds := []unix.PollFd{{Fd: int32(p.sock.Fd()), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0
}

// Kill ends rl-init (and with it every process in its pid namespace) and
// reaps it.
func (p *Process) Kill() {
	if !p.reaped {
		p.kill()
	}
	p.Wait()
}

// Wait reaps rl-init and returns its exit code (128+N for a death by
// signal N).
func (p *Process) Wait() int {
	if !p.reaped {
		p.status, p.reaped = p.wait(), true
		p.sock.Close()
	}
	return handshake.ExitCode(p.status)
}

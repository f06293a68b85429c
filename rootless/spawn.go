package rootless

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
	"github.com/rl-containers/rl/userns"
)

// ErrNoInit is returned when rl-init is not installed beside rl.
var ErrNoInit = errors.New("rl-init not found beside rl")

// NamespaceError is a failure to clone rl-init into new namespaces.
type NamespaceError struct{ Err error }

func (e *NamespaceError) Error() string { return "creating namespaces: " + e.Err.Error() }
func (e *NamespaceError) Unwrap() error { return e.Err }

// initProcess is a running rl-init and the front end's end of its sync
// socket.
type initProcess struct {
	cmd  *exec.Cmd
	sock *os.File
}

// helperPath finds one of rl's helper programs (rl-init, rl-image) in the
// directory of the running rl binary; when it is missing, the error wraps
// notFound.
func helperPath(name string, notFound error) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding %s: %w", name, err)
	}
	p := filepath.Join(filepath.Dir(self), name)
	if err := unix.Access(p, unix.X_OK); err != nil {
		return "", fmt.Errorf("%w: %s: %w (install rl, rl-init and rl-image together: make install)", notFound, p, err)
	}
	return p, nil
}

// initPath finds rl-init beside rl.
func initPath() (string, error) { return helperPath("rl-init", ErrNoInit) }

// spawnInit starts rl-init in new namespaces (flags), writes its uid/gid
// maps (none for real root) and tells it so. stdio become its fds 0-2,
// preserved its fds 3 and up; its end of the sync socket comes after
// those.
func spawnInit(flags uintptr, maps userns.Mappings, stdio [3]*os.File, preserved []*os.File) (*initProcess, error) {
	var env []string
	if maps.Privileged {
		// Real root gets no user namespace: rl-init holds its capabilities
		// from its first exec, so it neither waits for maps nor execs
		// itself again.
		env = append(env, handshake.EnvStage+"="+handshake.StageMapped)
	}
	p, err := startInit(flags, env, stdio, preserved)
	if err != nil || maps.Privileged {
		return p, err
	}
	if err := userns.WriteOuter(p.cmd.Process.Pid, maps); err != nil {
		p.kill()
		return nil, fmt.Errorf("writing uid/gid maps: %w", err)
	}
	if err := p.send(handshake.Message{Kind: handshake.Mapped}); err != nil {
		p.kill()
		return nil, err
	}
	return p, nil
}

// startInit starts rl-init with env, cloned with flags.
func startInit(flags uintptr, env []string, stdio [3]*os.File, preserved []*os.File) (*initProcess, error) {
	path, err := initPath()
	if err != nil {
		return nil, err
	}
	parentSock, childSock, err := handshake.Pair()
	if err != nil {
		return nil, err
	}
	defer childSock.Close()
	env = append(env, handshake.EnvSyncFD+"="+strconv.Itoa(3+len(preserved)))
	cmd := &exec.Cmd{
		Path:       path,
		Args:       []string{"rl-init"},
		Env:        env,
		Stdin:      stdio[0],
		Stdout:     stdio[1],
		Stderr:     stdio[2],
		ExtraFiles: append(append([]*os.File(nil), preserved...), childSock),
		SysProcAttr: &unix.SysProcAttr{
			Cloneflags: flags,
			Setsid:     true,
			// If rl dies, so does the container.
			Pdeathsig: unix.SIGKILL,
		},
	}
	if err := cmd.Start(); err != nil {
		parentSock.Close()
		return nil, &NamespaceError{Err: err}
	}
	return &initProcess{cmd: cmd, sock: parentSock}, nil
}

func (p *initProcess) send(m handshake.Message) error {
	return handshake.Send(int(p.sock.Fd()), m)
}

// sendAll sends the messages in order; on a failure it kills rl-init.
func (p *initProcess) sendAll(msgs []handshake.Message) error {
	for _, m := range msgs {
		if err := p.send(m); err != nil {
			p.kill()
			return err
		}
	}
	return nil
}

// kill ends rl-init (and with it every process in its pid namespace) and
// reaps it.
func (p *initProcess) kill() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	p.sock.Close()
}

// wait reaps rl-init and returns its exit code.
func (p *initProcess) wait() int {
	_ = p.cmd.Wait()
	p.sock.Close()
	ws, _ := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return handshake.ExitCode(unix.WaitStatus(ws))
}

// removeInUserns removes dir from inside a user namespace with the
// caller's full mapping, where files that belong to subordinate ids are
// root's and removable, as `podman unshare rm` would.
func removeInUserns(dir string) error {
	maps, _, err := userns.ForCaller(userns.ModeDefault)
	if err != nil {
		return err
	}
	p, err := spawnInit(unix.CLONE_NEWUSER, maps, [3]*os.File{nil, nil, os.Stderr}, nil)
	if err != nil {
		return err
	}
	if err := p.send(handshake.Message{Kind: handshake.Remove, Paths: []string{dir}}); err != nil {
		p.kill()
		return err
	}
	// rl-init sends nothing on success: it exits 0 and the socket closes.
	m, _, recvErr := handshake.Recv(int(p.sock.Fd()))
	code := p.wait()
	if recvErr == nil && m.Kind == handshake.Failed {
		return m.Error
	}
	if code != 0 {
		return fmt.Errorf("removing %s in the user namespace: rl-init exited with code %d", dir, code)
	}
	return nil
}

package rootless

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/handshake"
)

// ExecOptions are rl exec's flags.
type ExecOptions struct {
	Args        []string
	Env         []string
	Workdir     string
	User        string
	Interactive bool
	TTY         bool
}

// Exec runs a command in the running container ref, in all its
// namespaces and its cgroup, and returns the command's exit code with
// rl run's rules.
func Exec(s Store, ref string, o ExecOptions) (int, error) {
	c, err := s.load(ref)
	if err != nil {
		return 0, err
	}
	if c.state.Status != StatusRunning {
		return 0, fmt.Errorf("container %s is not running: start it first (rl start %s)", ref, ref)
	}
	l, err := c.readLaunch()
	if err != nil {
		return 0, err
	}
	target, err := c.initPid(l)
	if err != nil {
		return 0, err
	}
	if o.Workdir != "" && !strings.HasPrefix(o.Workdir, "/") {
		return 0, fmt.Errorf("invalid --workdir %q: must be an absolute path", o.Workdir)
	}
	sp := *l.Spec
	sp.Args, sp.Env, sp.Terminal, sp.Init, sp.PreserveFDs = o.Args, mergeEnv(sp.Env, o.Env), o.TTY, false, 0
	if o.Workdir != "" {
		sp.Cwd = o.Workdir
	}
	if o.User != "" {
		// The container's own /etc/passwd and /etc/group, as it sees them.
		if sp.User, _, err = resolveUser([]string{fmt.Sprintf("/proc/%d/root", target)}, o.User); err != nil {
			return 0, err
		}
	}
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs, forwarded...)
	defer func() {
		signal.Stop(sigs)
		close(sigs) // ends forward
	}()
	opts := RunOptions{Interactive: o.Interactive, TTY: o.TTY}
	st := foreground(opts)
	p, err := startInit(0, []string{handshake.EnvJoin + "=" + strconv.Itoa(target)}, st.stdio, nil)
	if err != nil {
		return 125, err
	}
	if cg := c.state.Cgroup; cg != nil && cg.Path != "" {
		if err := cgroupsd.Attach(cg.Manager, cg.Path, p.cmd.Process.Pid); err != nil {
			p.kill()
			return 125, fmt.Errorf("joining the container's cgroup: %w", err)
		}
	}
	for _, m := range []handshake.Message{{Kind: handshake.Join}, {Kind: handshake.Start, Spec: &sp}} {
		if err := p.send(m); err != nil {
			p.kill()
			return 125, err
		}
	}
	term, err := awaitStart(p, st.attach)
	if err != nil {
		return 125, err
	}
	go forward(sigs, p.cmd.Process.Pid, term)
	code := p.wait()
	term.close()
	return code, nil
}

// initPid is the host pid of the container's init, PID 1 inside.
func (c *container) initPid(l *launch) (int, error) {
	if l.Spec.Nested != nil || l.Options.Pod != "" {
		// keep-id, or a pod: the container is our rl-init's only child
		// (the nested rl-init, or the one the constructor forked).
		return onlyChild(c.state.Pid)
	}
	return c.state.Pid, nil
}

// Top returns the host pids of the processes in the running container
// ref: those in its pid namespace.
func Top(s Store, ref string) ([]int, error) {
	c, err := s.load(ref)
	if err != nil {
		return nil, err
	}
	if c.state.Status != StatusRunning {
		return nil, fmt.Errorf("container %s is not running: start it first (rl start %s)", ref, ref)
	}
	l, err := c.readLaunch()
	if err != nil {
		return nil, err
	}
	init, err := c.initPid(l)
	if err != nil {
		return nil, err
	}
	ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", init))
	if err != nil {
		return nil, fmt.Errorf("reading the container's pid namespace: %w", err)
	}
	dirs, _ := os.ReadDir("/proc")
	var pids []int
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if other, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid)); err == nil && other == ns {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// onlyChild returns the pid of pid's only child.
func onlyChild(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return 0, fmt.Errorf("finding the container's init: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) != 1 {
		return 0, fmt.Errorf("finding the container's init: rl-init %d has %d children", pid, len(f))
	}
	return strconv.Atoi(f[0])
}

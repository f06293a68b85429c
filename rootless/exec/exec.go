// Package exec runs commands in running containers (rl exec, and the
// monitor's health checks) and lists a container's processes (rl top),
// in the front end.
package exec

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/rootless/user"
)

// Options are what rl exec was asked to do, its flags parsed and checked
// (Workdir is absolute or "").
type Options struct {
	Args        []string
	Env         []string
	Workdir     string
	User        string
	Interactive bool
	TTY         bool
	// Privileged gives the command every capability (podman's exec
	// --privileged); the container's seccomp filter and no_new_privs
	// stay, as with podman.
	Privileged bool
	// Started, when set, hears once whether the command could be started
	// (nil: it runs), before Exec waits for it: rl exec -d's report.
	Started func(error)
}

// Exec runs a command in the running container c, in all its namespaces
// and its cgroup, and returns the command's exit code with rl run's rules.
func Exec(c *store.Container, o Options) (int, error) {
	if c.State.Status != store.StatusRunning {
		return 0, notRunning(c)
	}
	r, err := c.Record()
	if err != nil {
		return 0, err
	}
	target, err := initPid(c, r)
	if err != nil {
		return 0, err
	}
	sp := *r.Spec
	env := sp.Env
	if o.TTY && !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "TERM=") }) {
		// A terminal of rl's making is an xterm, as rl run -t says.
		env = append(slices.Clip(env), "TERM=xterm")
	}
	sp.Args, sp.Env, sp.Terminal, sp.Init, sp.PreserveFDs = o.Args, config.MergeEnv(env, o.Env), o.TTY, false, 0
	if o.Workdir != "" {
		sp.Cwd = o.Workdir
	}
	if o.User != "" {
		// The container's own /etc/passwd and /etc/group, as it sees them.
		root := []string{fmt.Sprintf("/proc/%d/root", target)}
		if sp.User, _, err = user.Resolve(root, o.User); err != nil {
			return 0, err
		}
		// --group-add's groups are the container's, whoever runs in it.
		added, err := user.GroupIDs(root, r.Options.Process.GroupAdd)
		if err != nil {
			return 0, err
		}
		user.AddGroups(&sp.User, added)
	}
	execCapabilities(&sp, r.Spec, o)
	sigs, stop := launch.Relay()
	defer stop()
	lo := launch.Options{
		Variant: launch.Variant{Kind: launch.Exec},
		Target:  target,
		Spec:    &sp,
		Streams: launch.Foreground(o.Interactive, o.TTY),
	}
	if cg := c.State.Cgroup; cg != nil && cg.Path != "" {
		lo.Variant.Places, lo.Join = true, launch.CgroupPath{Manager: cg.Manager, Path: cg.Path}
	}
	l, err := launch.Run(lo)
	if o.Started != nil {
		o.Started(err)
	}
	if err != nil {
		return 125, err
	}
	go launch.Forward(sigs, l.Pid, l.Terminal)
	code := l.Wait()
	l.Terminal.Close()
	return code, nil
}

// execCapabilities are the command's capabilities, as podman's exec gives
// them (libpod setProcessCapabilitiesExec): the container's bounding set,
// or every capability with --privileged, which root has after the exec;
// a non-root user keeps the container's non-root capabilities (its
// --cap-add's) when it is the container's user, and has none otherwise.
func execCapabilities(sp, ctr *spec.Spec, o Options) {
	if o.Privileged {
		sp.Capabilities = config.AllCapabilities()
	}
	if sp.User.UID != ctr.User.UID || sp.User.GID != ctr.User.GID {
		sp.UserCapabilities = nil
	}
}

func notRunning(c *store.Container) error {
	return fmt.Errorf("container %s is not running: start it first (rl start %s)", c.State.Name, c.State.Name)
}

// initPid is the host pid of the container's init, PID 1 inside.
func initPid(c *store.Container, r *config.Record) (int, error) {
	if r.Spec.Nested != nil || forked(c.State.Pid) {
		// keep-id, or a pod's container or one in the shared user
		// namespace: the container is our rl-init's only child (the nested
		// rl-init, or the one the constructor forked).
		return onlyChild(c.State.Pid)
	}
	return c.State.Pid, nil
}

// forked is true when pid's children are born in a pid namespace other
// than its own: rl-init's constructor unshared one for the child it forked
// (cmd/rl-init/stage1.go, rl_join).
func forked(pid int) bool {
	dir := fmt.Sprintf("/proc/%d/ns/", pid)
	own, err := os.Readlink(dir + "pid")
	children, err2 := os.Readlink(dir + "pid_for_children")
	return err == nil && err2 == nil && own != children
}

// Top returns the host pids of the processes in the running container c:
// those in its pid namespace.
func Top(c *store.Container) ([]int, error) {
	if c.State.Status != store.StatusRunning {
		return nil, notRunning(c)
	}
	r, err := c.Record()
	if err != nil {
		return nil, err
	}
	init, err := initPid(c, r)
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

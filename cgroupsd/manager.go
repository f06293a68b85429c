package cgroupsd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Cgroup managers of --cgroup-manager.
const (
	Systemd  = "systemd"
	Cgroupfs = "cgroupfs"
	None     = "none"
)

// root is where the cgroup v2 hierarchy is mounted.
const root = "/sys/fs/cgroup"

// Options say how to place a container.
type Options struct {
	// Manager is Systemd, Cgroupfs, None, or "" to pick: systemd when the
	// user bus is there, else cgroupfs when rl's own cgroup is a
	// writable (delegated) v2 subtree.
	Manager string
	// Parent is --cgroup-parent: a slice for systemd, a cgroup path for
	// cgroupfs.
	Parent string
	// BestEffort runs without the limits that cannot be enforced, with a
	// warning for each, instead of failing.
	BestEffort bool
	// ID names the cgroup (rl-ID.scope, rl-ID).
	ID string
}

// Cgroup is the cgroup a container runs in.
type Cgroup struct {
	Manager string
	// Path is the cgroup's path below /sys/fs/cgroup.
	Path string
	// Enforced lists the controllers whose limits hold.
	Enforced []string
	release  func()
}

// ErrUnenforceable is wrapped by errors about limits that cannot be
// enforced on this machine.
var ErrUnenforceable = errors.New("cannot enforce the resource limits")

// Pending is a placement decided before the container's process exists:
// the manager is picked and, for systemd, the user bus is dialled while
// rl spawns the container, so the connection's cost overlaps the spawn.
type Pending struct {
	r       Resources
	o       Options
	manager string
	// refused says why no limit can be enforced ("" when one can).
	refused string
	conn    chan dialed
}

// Prepare decides how r will be applied and starts what can start
// without the container's process. Close it when done.
func Prepare(r Resources, o Options) *Pending {
	p := &Pending{r: r, o: o, manager: o.Manager}
	if r.Empty() && (o.Manager == "" || o.Manager == None) {
		p.manager = "" // no flag, no cgroup work at all
		return p
	}
	p.manager, p.refused = placement(o.Manager)
	if p.refused == "" && p.manager == Systemd {
		p.conn = dial()
	}
	return p
}

// placement is the manager that places a cgroup asked for with manager
// ("" picks), or why none can.
func placement(manager string) (string, string) {
	switch {
	case manager == None:
		return manager, "the cgroup manager is none, which applies no limits"
	case !IsCgroup2():
		return manager, "/sys/fs/cgroup is not cgroup v2 (this machine runs cgroup v1 or a v1/v2 hybrid); boot with systemd.unified_cgroup_hierarchy=1"
	case manager == "":
		manager = pick()
	}
	if manager == None {
		return manager, "no systemd user bus (install dbus-user-session and log in, or loginctl enable-linger) and rl's own cgroup is not a writable delegated subtree"
	}
	return manager, ""
}

// Places is true when Apply will put the process in a cgroup: there is
// a manager to ask, so the caller may overlap that with other work.
func (p *Pending) Places() bool { return p.refused == "" && p.manager != "" }

// Close drops what Prepare started and Apply did not use.
func (p *Pending) Close() {
	if p.conn != nil {
		(<-p.conn).close()
		p.conn = nil
	}
}

// Apply moves pid into a new cgroup that enforces the limits, and returns
// it (nil when there is nothing to do). Limits it cannot enforce fail it
// with ErrUnenforceable and the fix, or, with Options.BestEffort, become
// warnings.
func (p *Pending) Apply(pid int) (*Cgroup, []string, error) {
	r, o := p.r, p.o
	if p.refused != "" {
		return unenforceable(r, o, p.refused)
	}
	var cg *Cgroup
	var err error
	switch p.manager {
	case "":
		return nil, nil, nil
	case Systemd:
		d := <-p.conn
		p.conn = nil
		defer d.close()
		if d.err != nil {
			return nil, nil, d.err
		}
		cg, err = applySystemd(d.conn, pid, r, o)
	default:
		cg, err = applyCgroupfs(pid, r, o)
	}
	if err != nil {
		return nil, nil, err
	}
	missing := slices.DeleteFunc(r.Controllers(), func(c string) bool { return slices.Contains(cg.Enforced, c) })
	if len(missing) == 0 {
		return cg, nil, nil
	}
	why := fmt.Sprintf("the %s controller(s) are not delegated to you in %s", strings.Join(missing, ", "), cg.Path)
	if p.manager == Systemd {
		why += "; delegate them to the user manager: /etc/systemd/system/user@.service.d/delegate.conf with [Service] Delegate=cpu cpuset io memory pids, then systemctl daemon-reload and log in again"
	}
	if !o.BestEffort {
		cg.Release()
		return nil, nil, fmt.Errorf("%w: %s (or run with --limits=best-effort)", ErrUnenforceable, why)
	}
	return cg, []string{"not enforced: " + why}, nil
}

// unenforceable is the failure (or, best effort, the warning) for limits
// that cannot be enforced at all.
func unenforceable(r Resources, o Options, why string) (*Cgroup, []string, error) {
	ctrls := strings.Join(r.Controllers(), ", ")
	if o.BestEffort {
		return nil, []string{fmt.Sprintf("not enforced: the %s limits: %s", ctrls, why)}, nil
	}
	return nil, nil, fmt.Errorf("%w (%s): %s (or run with --limits=best-effort)", ErrUnenforceable, ctrls, why)
}

// Release removes what Apply made once the container is gone. It is safe
// on a nil Cgroup.
func (c *Cgroup) Release() {
	if c != nil && c.release != nil {
		c.release()
	}
}

// pick chooses the manager: systemd when the user bus is there (its socket
// exists: detected, never waited for), else cgroupfs when rl's own cgroup
// is writable, else none.
func pick() string {
	if UserBus() != "" {
		return Systemd
	}
	if own, err := OwnCgroup("self"); err == nil && writable(filepath.Join(root, own)) {
		return Cgroupfs
	}
	return None
}

// UserBus is the path of the user's D-Bus socket, or "".
func UserBus() string {
	if addr, ok := strings.CutPrefix(os.Getenv("DBUS_SESSION_BUS_ADDRESS"), "unix:path="); ok {
		addr, _, _ = strings.Cut(addr, ",")
		if _, err := os.Stat(addr); err == nil {
			return addr
		}
		return ""
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return filepath.Join(dir, "bus")
		}
	}
	return ""
}

// writable is true when the cgroup dir lets us create children and move
// processes.
func writable(dir string) bool {
	return access(dir) && access(filepath.Join(dir, "cgroup.procs")) && access(filepath.Join(dir, "cgroup.subtree_control"))
}

// Available are the controllers available in the cgroup path (its
// cgroup.controllers).
func Available(path string) []string {
	b, _ := os.ReadFile(filepath.Join(root, path, "cgroup.controllers"))
	return strings.Fields(string(b))
}

// Describe says which manager rl would use here, for rl info.
func Describe() string {
	if !IsCgroup2() {
		return "none: /sys/fs/cgroup is not cgroup v2; resource limits are refused (or, with --limits=best-effort, ignored with a warning)"
	}
	own, _ := OwnCgroup("self")
	switch pick() {
	case Systemd:
		return "systemd (user bus " + UserBus() + ")"
	case Cgroupfs:
		return "cgroupfs (delegated " + own + ": " + strings.Join(Available(own), " ") + ")"
	}
	return "none: no systemd user bus, and " + own + " is not writable"
}

// access is true when we may write to path.
func access(path string) bool { return unix.Access(path, unix.W_OK) == nil }

// Attach moves pid into the container's cgroup path (rl exec): through
// the user's systemd for a systemd scope, because the kernel lets us move
// a process only below a cgroup we may write, and rl exec runs in a login
// session's scope, which is root's; systemd's user manager asks the system
// manager to move it. A cgroupfs cgroup is in a subtree of ours: we write
// its cgroup.procs.
func Attach(manager, path string, pid int) error {
	if manager == Systemd {
		return attachSystemd(filepath.Base(path), pid)
	}
	return os.WriteFile(filepath.Join(root, path, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0)
}

// Cleanup removes a container's cgroup that its rl could not remove
// (killed): a cgroupfs cgroup stays behind, empty, while systemd collects
// its scopes itself. It is a no-op for a cgroup that is gone.
func Cleanup(manager, path string) error {
	if manager != Cgroupfs || path == "" {
		return nil
	}
	err := os.Remove(filepath.Join(root, path))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

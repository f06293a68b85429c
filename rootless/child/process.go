package child

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/fsoverlay"
	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/spec"
)

// defaultCaps is the bounding set of a spec without one (nil
// Capabilities): a record written before the front end sent the set, whose
// container had podman's defaults then. The front end computes every other
// set (rootless/security.go).
var defaultCaps = []uint{
	unix.CAP_CHOWN, unix.CAP_DAC_OVERRIDE, unix.CAP_FOWNER, unix.CAP_FSETID,
	unix.CAP_KILL, unix.CAP_NET_BIND_SERVICE, unix.CAP_SETFCAP, unix.CAP_SETGID,
	unix.CAP_SETPCAP, unix.CAP_SETUID, unix.CAP_SYS_CHROOT,
}

// start sets the container up and executes its command. It never returns.
func start(c *conn, s *spec.Spec) {
	if !s.AwaitCgroup {
		c.check(enterCgroupNamespace(c, s, ""), "creating the cgroup namespace")
	}
	root, err := buildRootfs(s)
	var workdirErr *WorkdirError
	if errors.As(err, &workdirErr) {
		c.fail(126, "entering the working directory", err)
	}
	c.check(err, "building the root filesystem")
	if s.AwaitCgroup {
		c.check(enterCgroupNamespace(c, s, root), "creating the cgroup namespace")
	}
	c.check(fsoverlay.PivotRoot(root), "switching to the root filesystem")
	c.check(unix.Sethostname([]byte(s.Hostname)), "setting the hostname")
	if s.AwaitNetwork {
		c.check(awaitMessage(c, handshake.Networked), "waiting for the networks")
	}
	execute(c, s)
}

// awaitMessage reads the front end's next message, which must be of kind.
func awaitMessage(c *conn, kind handshake.Kind) error {
	m, _, err := handshake.Recv(c.fd)
	if err != nil {
		return err
	}
	if m.Kind != kind {
		return fmt.Errorf("unexpected %q message", m.Kind)
	}
	return nil
}

// enterCgroupNamespace makes the container's cgroup namespace, once the
// front end has put us in the container's cgroup (with AwaitCgroup, it
// says so with Placed): a cgroup namespace made here is rooted there, so
// the container sees its own cgroup as / (cgroup_namespaces(7)). With
// AwaitCgroup the root filesystem is built already: cgroup2 is mounted on
// its fresh sysfs now, which buildRootfs left for this.
func enterCgroupNamespace(c *conn, s *spec.Spec, root string) error {
	if s.AwaitCgroup {
		if err := awaitMessage(c, handshake.Placed); err != nil {
			return err
		}
	}
	if !s.HostCgroupNS {
		if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
			return err
		}
	}
	if s.AwaitCgroup && freshSysfs {
		return mountCgroup(filepath.Join(root, "sys"), s)
	}
	return nil
}

// execute turns this process into the container's command (rl run's, or
// rl exec's in a running container): terminal, capabilities, user,
// working directory, exec. It never returns.
func execute(c *conn, s *spec.Spec) {
	if s.Terminal {
		c.check(setupTerminal(c, s), "allocating a terminal")
	}
	// Limits and OOM score before the capabilities go: rl exec's
	// processes get the container's too, as podman's.
	c.check(setRlimits(s.Rlimits), "setting resource limits")
	c.check(setOOMScoreAdj(s.OOMScoreAdj), "setting oom_score_adj")
	c.check(dropCapabilities(s), "dropping capabilities")
	c.check(loadSeccomp(s.Seccomp), "loading the seccomp filter")
	if s.Umask != nil {
		unix.Umask(int(*s.Umask))
	}
	c.check(setUser(s), "switching to the container user")
	c.check(keepUserCapabilities(s), "giving the container user its capabilities")
	if s.NoNewPrivileges {
		// Inherited by every descendant and kept across execve(2): setuid
		// and setgid bits and file capabilities grant nothing from here
		// on (prctl(2), PR_SET_NO_NEW_PRIVS).
		c.check(unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "setting no_new_privs")
	}
	if err := unix.Chdir(s.Cwd); err != nil {
		c.fail(126, "entering the working directory", fmt.Errorf("chdir %s: %w", s.Cwd, err))
	}
	// A magic link (-w /proc/self/fd/N) leads chdir(2) to whatever an fd
	// of ours holds, which may be outside the root: the command would
	// start there (CVE-2024-21626). getcwd(2) then finds no path from the
	// root.
	if wd, err := unix.Getwd(); err != nil || !strings.HasPrefix(wd, "/") {
		c.fail(125, "entering the working directory", fmt.Errorf("%s is outside the container's root filesystem: use a directory of the container", s.Cwd))
	}
	// Looked up as the container user, from the working directory, as
	// execvp(3) in the container would.
	path, code, err := lookPath(s.Args[0], s.Env)
	if err != nil {
		c.fail(code, "starting the container command", err)
	}
	// Only fds 0-2 and the ones --preserve-fds asked for reach the command;
	// everything else rl-init holds, the sync socket included, closes on
	// exec.
	c.check(unix.CloseRange(uint(3+s.PreserveFDs), ^uint(0), unix.CLOSE_RANGE_CLOEXEC), "closing file descriptors")
	if s.Init {
		os.Exit(runInit(c, s, path))
	}
	c.check(handshake.Send(c.fd, handshake.Message{Kind: handshake.Exec}), "reporting the start")
	resetSignals()
	err = unix.Exec(path, s.Args, s.Env)
	c.fail(execCode(err), "executing "+s.Args[0], err)
}

// resetSignals gives the command default signal dispositions and an empty
// signal mask. execve(2) keeps ignored signals ignored, so a container
// started from a script's background job (where SIGINT and SIGQUIT are
// ignored) could otherwise never be interrupted, and a shell in it could
// not even trap them.
func resetSignals() {
	var dfl [4]uint64 // struct sigaction with sa_handler = SIG_DFL
	for sig := uintptr(1); sig <= 64; sig++ {
		if sig != uintptr(unix.SIGKILL) && sig != uintptr(unix.SIGSTOP) {
			_, _, _ = unix.RawSyscall6(unix.SYS_RT_SIGACTION, sig, uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0)
		}
	}
	var empty unix.Sigset_t
	_ = unix.PthreadSigmask(unix.SIG_SETMASK, &empty, nil)
}

// lookPath finds the command in the container's PATH, as execvp(3) would,
// and returns docker's exit code for a failure: 127 not found, 126 found
// but not executable.
func lookPath(name string, env []string) (string, int, error) {
	if strings.Contains(name, "/") {
		err := checkExecutable(name)
		if errors.Is(err, fs.ErrNotExist) {
			return "", 127, err
		}
		return name, 126, err
	}
	pathEnv := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathEnv = v
		}
	}
	var denied error
	for _, dir := range filepath.SplitList(pathEnv) {
		p := filepath.Join(dir, name)
		err := checkExecutable(p)
		if err == nil {
			return p, 0, nil
		}
		if errors.Is(err, fs.ErrPermission) && denied == nil {
			denied = err
		}
	}
	if denied != nil {
		return "", 126, denied
	}
	// crun's words, which podman prints and scripts match.
	return "", 127, fmt.Errorf("executable file `%s` not found in $PATH: %w", name, unix.ENOENT)
}

func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return &fs.PathError{Op: "exec", Path: p, Err: unix.EISDIR}
	}
	if fi.Mode()&0o111 == 0 {
		return &fs.PathError{Op: "exec", Path: p, Err: fs.ErrPermission}
	}
	return nil
}

// execCode maps an execve(2) failure to 127 (nothing to run) or 126.
func execCode(err error) int {
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return 127
	}
	return 126
}

// dropCapabilities shrinks the bounding set to the spec's capabilities;
// execve(2) then gives root exactly those (capabilities(7): root's
// permitted set after an exec is the bounding set) and every other user
// none, unless keepUserCapabilities raises some as ambient. For a user
// that keeps some, it sets PR_SET_KEEPCAPS, so that switching to it
// leaves the permitted set to draw them from.
func dropCapabilities(s *spec.Spec) error {
	keep := s.Capabilities
	if keep == nil {
		keep = defaultCaps
	}
	// Ambient capabilities (which the keep-id nesting uses) would survive
	// the exec of a non-root command: clear them.
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fmt.Errorf("clearing ambient capabilities: %w", err)
	}
	// Raising them filled the inheritable set, which file capabilities
	// could draw on: empty it.
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("reading capabilities: %w", err)
	}
	data[0].Inheritable, data[1].Inheritable = 0, 0
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("clearing inheritable capabilities: %w", err)
	}
	// Up to the kernel's last capability, which need not be the last one
	// x/sys names: PR_CAPBSET_DROP fails with EINVAL past it.
	for capability := uint(0); capability < 64; capability++ {
		if slices.Contains(keep, capability) {
			continue
		}
		err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(capability), 0, 0, 0)
		if errors.Is(err, unix.EINVAL) {
			break
		}
		if err != nil {
			return fmt.Errorf("dropping capability %d: %w", capability, err)
		}
	}
	if s.User.UID != 0 && len(s.UserCapabilities) > 0 {
		if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("keeping capabilities across the user switch: %w", err)
		}
	}
	return nil
}

// keepUserCapabilities gives a non-root command its capabilities (podman:
// --cap-add's) as runc does: effective, permitted and inheritable, and
// raised as ambient so that the exec of an ordinary file keeps them
// (capabilities(7), "Ambient capability set"). Root needs nothing: the
// exec gives it the bounding set.
func keepUserCapabilities(s *spec.Spec) error {
	if s.User.UID == 0 || len(s.UserCapabilities) == 0 {
		return nil
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	for _, c := range s.UserCapabilities {
		bit := uint32(1) << (c % 32)
		data[c/32].Effective |= bit
		data[c/32].Permitted |= bit
		data[c/32].Inheritable |= bit
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("setting capabilities: %w", err)
	}
	for _, c := range s.UserCapabilities {
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(c), 0, 0); err != nil {
			return fmt.Errorf("raising ambient capability %d: %w", c, err)
		}
	}
	return nil
}

// setUser switches every thread to the container user. The syscall
// package's wrappers change all threads of the process.
func setUser(s *spec.Spec) error {
	u := s.User
	if !s.NoSetgroups && !s.KeepGroups {
		groups := make([]int, len(u.AdditionalGIDs))
		for i, g := range u.AdditionalGIDs {
			groups[i] = int(g)
		}
		if err := syscall.Setgroups(groups); err != nil {
			return fmt.Errorf("setgroups: %w", err)
		}
	}
	if err := syscall.Setresgid(int(u.GID), int(u.GID), int(u.GID)); err != nil {
		return fmt.Errorf("setresgid %d: %w", u.GID, err)
	}
	if err := syscall.Setresuid(int(u.UID), int(u.UID), int(u.UID)); err != nil {
		return fmt.Errorf("setresuid %d: %w", u.UID, err)
	}
	// A change of credentials clears the parent death signal; set it again
	// so the command dies with rl.
	return unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
}

// setupTerminal allocates a pty in the container's own devpts instance, so
// the command sees /dev/pts/0 as its terminal, sends the master to the
// front end and makes the slave our stdio and controlling terminal (the
// latter left to the command under --init).
func setupTerminal(c *conn, s *spec.Spec) error {
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer master.Close()
	mfd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0); err != nil {
		return fmt.Errorf("unlocking pty: %w", err)
	}
	n, err := unix.IoctlGetUint32(mfd, unix.TIOCGPTN)
	if err != nil {
		return fmt.Errorf("getting pty number: %w", err)
	}
	slave, err := unix.Open(fmt.Sprintf("/dev/pts/%d", n), unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return fmt.Errorf("opening pty: %w", err)
	}
	if err := unix.Fchown(slave, int(s.User.UID), s.TTYGroup); err != nil {
		return fmt.Errorf("chowning pty: %w", err)
	}
	if err := handshake.Send(c.fd, handshake.Message{Kind: handshake.PTY}, mfd); err != nil {
		return err
	}
	for fd := 0; fd < 3; fd++ {
		if err := unix.Dup3(slave, fd, 0); err != nil {
			return fmt.Errorf("dup pty to fd %d: %w", fd, err)
		}
	}
	if slave > 2 {
		unix.Close(slave)
	}
	if s.Init {
		return nil
	}
	return unix.IoctlSetInt(0, unix.TIOCSCTTY, 0)
}

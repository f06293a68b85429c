package fsoverlay

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// MountError is a failed mount(2), umount2(2) or pivot_root(2) with its
// arguments.
type MountError struct {
	Op     string
	Source string
	Target string
	FSType string
	Flags  uintptr
	Data   string
	Err    error
}

func (e *MountError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", e.Op)
	if e.FSType != "" {
		fmt.Fprintf(&b, " %s", e.FSType)
	}
	if e.Source != "" && e.Source != e.FSType {
		fmt.Fprintf(&b, " %s", e.Source)
	}
	if e.Target != "" {
		fmt.Fprintf(&b, " on %s", e.Target)
	}
	if e.Flags != 0 {
		fmt.Fprintf(&b, " (flags %#x)", e.Flags)
	}
	if e.Data != "" {
		fmt.Fprintf(&b, " (%s)", e.Data)
	}
	return b.String() + ": " + e.Err.Error()
}

func (e *MountError) Unwrap() error { return e.Err }

// Mount calls mount(2) and returns a *MountError on failure.
func Mount(source, target, fstype string, flags uintptr, data string) error {
	if err := unix.Mount(source, target, fstype, flags, data); err != nil {
		op := "mounting"
		if flags&unix.MS_REMOUNT != 0 {
			op = "remounting"
		} else if flags&unix.MS_BIND != 0 {
			op = "bind-mounting"
		}
		return &MountError{Op: op, Source: source, Target: target, FSType: fstype, Flags: flags, Data: data, Err: err}
	}
	return nil
}

// MountOverlay mounts l on target.
func MountOverlay(l Layers, target string) error {
	return Mount("overlay", target, "overlay", 0, l.Data())
}

// MountFuse mounts l with program, fuse-overlayfs, for a kernel that
// refuses overlayfs in a user namespace (before Linux 5.11, or a filesystem
// under the layers that overlayfs rejects there), and returns the
// directory below dir where the overlay is mounted. It returns once the
// mount is ready: fuse-overlayfs mounts, forks the daemon that serves the
// mount, and exits. The daemon lives in the caller's pid namespace, so it
// ends with the container. fuse-overlayfs reads the kernel's whiteouts, so
// the same layers serve either way.
//
// The daemon runs in a mount namespace of its own, a copy of the caller's:
// in the caller's, pivot_root(2) would move its root too (it moves that of
// every process of the namespace whose root is the old root), and the
// daemon's own path lookups would then go through the mount it serves and
// wait on it forever. Its mount reaches the caller through a shared
// staging mount, and is bound from there to a private mount point, because
// pivot_root refuses a new root that is or sits on a shared mount.
func MountFuse(program string, l Layers, dir string) (string, error) {
	l.UserXattr = false // a kernel overlay option; fuse-overlayfs has its own
	stage, root := filepath.Join(dir, "fuse"), filepath.Join(dir, "root")
	// A private tmpfs to hold both mount points: dir is the user's, and
	// nothing should be created there.
	if err := Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=700,size=16k"); err != nil {
		return "", err
	}
	for _, d := range []string{stage, root} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return "", fmt.Errorf("creating %s: %w", d, err)
		}
	}
	if err := Mount(stage, stage, "", unix.MS_BIND, ""); err != nil {
		return "", err
	}
	if err := Mount("", stage, "", unix.MS_SHARED, ""); err != nil {
		return "", err
	}
	cmd := exec.Command(program, "-o", l.Data(), stage)
	cmd.SysProcAttr = &unix.SysProcAttr{Cloneflags: unix.CLONE_NEWNS}
	if out, err := cmd.CombinedOutput(); err != nil {
		if msg := strings.TrimSpace(string(out)); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return "", &MountError{Op: "mounting", FSType: "fuse-overlayfs", Source: program, Target: stage, Data: l.Data(), Err: err}
	}
	if err := Mount(stage, root, "", unix.MS_BIND, ""); err != nil {
		return "", err
	}
	return root, Mount("", root, "", unix.MS_PRIVATE, "")
}

// lockedFlags are the mount flags that the kernel locks on a mount made or
// copied into a less privileged user namespace; a remount that drops one of
// them fails with EPERM (mount_namespaces(7), "Restrictions on mount
// namespaces"), so a remount must repeat them.
var lockedFlags = []struct{ st, ms uintptr }{
	{unix.ST_NOSUID, unix.MS_NOSUID},
	{unix.ST_NODEV, unix.MS_NODEV},
	{unix.ST_NOEXEC, unix.MS_NOEXEC},
	{unix.ST_NOATIME, unix.MS_NOATIME},
	{unix.ST_NODIRATIME, unix.MS_NODIRATIME},
	{unix.ST_RELATIME, unix.MS_RELATIME},
}

// BindReadOnly bind-mounts target onto itself, so that only that subtree
// changes, and makes it read-only with every mount below it.
func BindReadOnly(target string) error {
	if err := Mount(target, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	return MakeReadOnly(target, true)
}

// MakeReadOnly makes the mount at target read-only, and with recursive
// every mount below it too.
func MakeReadOnly(target string, recursive bool) error {
	// mount_setattr(2) (Linux >= 5.12) changes only the read-only flag and
	// leaves the flags the kernel locks alone.
	flags := unix.AT_NO_AUTOMOUNT
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	err := unix.MountSetattr(-1, target, uint(flags), &attr)
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.ENOSYS) {
		return &MountError{Op: "making read-only", Target: target, Err: err}
	}
	return remountReadOnly(target)
}

// remountReadOnly is MakeReadOnly for kernels without mount_setattr(2):
// only the top mount becomes read-only, and the remount must repeat the
// locked flags.
func remountReadOnly(target string) error {
	var st unix.Statfs_t
	if err := unix.Statfs(target, &st); err != nil {
		return &MountError{Op: "statfs", Target: target, Err: err}
	}
	flags := uintptr(unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY)
	for _, f := range lockedFlags {
		if uintptr(st.Flags)&f.st != 0 {
			flags |= f.ms
		}
	}
	return Mount("", target, "", flags, "")
}

// PivotRoot makes newRoot, which must be a mount point, the root of the
// calling process's mount namespace and detaches the old root.
//
// It uses pivot_root(".", "."), as runc does: with newRoot as the working
// directory, the old root is stacked on top of the new one at "/", so it can
// be unmounted without a directory to put it in (pivot_root(2), NOTES). The
// detach is lazy so that nothing of the host stays reachable. chroot(2)
// would leave the host's tree mounted and reachable by any process with
// CAP_SYS_CHROOT that chroots again.
func PivotRoot(newRoot string) error {
	if err := unix.Chdir(newRoot); err != nil {
		return &MountError{Op: "entering", Target: newRoot, Err: err}
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return &MountError{Op: "pivot_root", Target: newRoot, Err: err}
	}
	// The old root may be shared with the host's namespace; make our copy
	// a slave so that the detach does not propagate to the host.
	if err := Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return err
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return &MountError{Op: "detaching old root", Target: "/", Err: err}
	}
	if err := unix.Chdir("/"); err != nil {
		return &MountError{Op: "entering", Target: "/", Err: err}
	}
	return nil
}

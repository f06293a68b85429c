package child

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/fsoverlay"
	"github.com/rl-containers/rl/rootless/spec"
)

// maskedPaths hide kernel information and interfaces that a container must
// not read, as docker and podman do: files are covered with /dev/null,
// directories with an empty read-only tmpfs.
var maskedPaths = []string{
	"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
}

// readonlyPaths stay visible but cannot be written.
var readonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}

// devices are bind-mounted from the host's /dev: an unprivileged user
// namespace cannot mknod(2) device nodes, and a device node on a mount made
// inside it would be unusable anyway (the kernel forces nodev there).
var devices = []string{"full", "null", "random", "tty", "urandom", "zero"}

var devLinks = [][2]string{
	{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
	{"/proc/self/fd/2", "stderr"}, {"/proc/kcore", "core"}, {"pts/ptmx", "ptmx"},
}

const (
	nsMountFlags = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
)

// OverlayError is a failure to mount the container's root overlay, the
// step that needs kernel support for overlayfs in a user namespace.
type OverlayError struct{ Err error }

func (e *OverlayError) Error() string {
	return "mounting the overlay root filesystem: " + e.Err.Error()
}
func (e *OverlayError) Unwrap() error { return e.Err }

// buildRootfs mounts the container's root filesystem under s.Rootfs.Mountpoint
// and everything a container expects below it. It runs in the container's
// mount namespace, before pivot_root.
func buildRootfs(s *spec.Spec) (string, error) {
	// Nothing we mount may propagate back to the host's namespace (the mount
	// namespace was copied with the host's shared mounts).
	if err := fsoverlay.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return "", err
	}
	root, err := mountRoot(s.Rootfs)
	if err != nil {
		return "", &OverlayError{Err: err}
	}
	steps := []func(string, *spec.Spec) error{mountProc, mountSys, mountDev, mountUser, maskPaths}
	for _, step := range steps {
		if err := step(root, s); err != nil {
			return "", err
		}
	}
	cwd, err := securejoin.SecureJoin(root, s.Cwd)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(cwd, 0o755); err != nil {
		return "", fmt.Errorf("creating working directory %s: %w", s.Cwd, err)
	}
	if s.ReadOnly {
		if err := fsoverlay.MakeReadOnly(root, false); err != nil {
			return "", err
		}
	}
	return root, nil
}

// mountRoot mounts the container's overlay at or below r.Mountpoint and
// returns where: with the kernel's overlayfs, or with fuse-overlayfs when
// configured so or when the kernel refuses and fuse-overlayfs is
// installed.
func mountRoot(r spec.Rootfs) (string, error) {
	layers := fsoverlay.Layers{Lower: r.Lower, Upper: r.Upper, Work: r.Work, UserXattr: r.UserXattr}
	if r.FuseOnly {
		return fsoverlay.MountFuse(r.FuseOverlay, layers, r.Mountpoint)
	}
	err := fsoverlay.MountOverlay(layers, r.Mountpoint)
	if err == nil || r.FuseOverlay == "" {
		return r.Mountpoint, err
	}
	root, fuseErr := fsoverlay.MountFuse(r.FuseOverlay, layers, r.Mountpoint)
	if fuseErr != nil {
		return "", fmt.Errorf("%w; the fuse-overlayfs fallback failed too: %w", err, fuseErr)
	}
	return root, nil
}

func mountProc(root string, _ *spec.Spec) error {
	// A new proc instance shows only the processes of our pid namespace.
	return fsoverlay.Mount("proc", mkdir(root, "/proc"), "proc", nsMountFlags, "")
}

// freshSysfs records that mountSys mounted a sysfs of our own, on which
// cgroup2 goes (rl-init sets up one container and exits).
var freshSysfs bool

func mountSys(root string, s *spec.Spec) error {
	target := mkdir(root, "/sys")
	err := fsoverlay.Mount("sysfs", target, "sysfs", nsMountFlags|unix.MS_RDONLY, "")
	if err == nil {
		freshSysfs = true
		if s.AwaitCgroup {
			return nil // after the cgroup namespace (enterCgroupNamespace)
		}
		return mountCgroup(target)
	}
	if !errors.Is(err, unix.EPERM) {
		return err
	}
	// A fresh sysfs needs a network namespace owned by our user namespace;
	// with --network host we have none, so bind the host's /sys read-only,
	// as runc does for rootless containers.
	if err := fsoverlay.Mount("/sys", target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	return fsoverlay.MakeReadOnly(target, true)
}

// mountCgroup mounts cgroup v2, read-only, on the fresh sysfs's
// /sys/fs/cgroup when the host runs cgroup v2: in our cgroup namespace it
// shows the container's own cgroup as its root. On a v1 or hybrid host it
// leaves the directory empty.
func mountCgroup(sys string) error {
	var st unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &st) != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		return nil
	}
	return fsoverlay.Mount("cgroup2", filepath.Join(sys, "fs/cgroup"), "cgroup2", nsMountFlags|unix.MS_RDONLY, "")
}

func mountDev(root string, s *spec.Spec) error {
	dev := mkdir(root, "/dev")
	if err := fsoverlay.Mount("tmpfs", dev, "tmpfs", unix.MS_NOSUID|unix.MS_STRICTATIME, "mode=755,size=65536k"); err != nil {
		return err
	}
	for _, d := range devices {
		target := filepath.Join(dev, d)
		if err := os.WriteFile(target, nil, 0o666); err != nil {
			return fmt.Errorf("creating /dev/%s: %w", d, err)
		}
		if err := fsoverlay.Mount("/dev/"+d, target, "", unix.MS_BIND, ""); err != nil {
			return err
		}
	}
	for _, l := range devLinks {
		if err := os.Symlink(l[0], filepath.Join(dev, l[1])); err != nil {
			return fmt.Errorf("creating /dev/%s: %w", l[1], err)
		}
	}
	// newinstance gives the container its own pty numbering, so it sees
	// only its own terminals in /dev/pts.
	pts := "newinstance,ptmxmode=0666,mode=0620"
	if s.TTYGroup >= 0 {
		pts += fmt.Sprintf(",gid=%d", s.TTYGroup)
	}
	mounts := []struct {
		path, fstype string
		flags        uintptr
		data         string
	}{
		{"pts", "devpts", unix.MS_NOSUID | unix.MS_NOEXEC, pts},
		{"shm", "tmpfs", nsMountFlags, "mode=1777,size=65536k"},
		// A new mqueue instance belongs to our ipc namespace.
		{"mqueue", "mqueue", nsMountFlags, ""},
	}
	for _, m := range mounts {
		target := filepath.Join(dev, m.path)
		if err := os.Mkdir(target, 0o755); err != nil {
			return fmt.Errorf("creating /dev/%s: %w", m.path, err)
		}
		if err := fsoverlay.Mount(m.fstype, target, m.fstype, m.flags, m.data); err != nil {
			return err
		}
	}
	return nil
}

// mountUser performs the -v, --tmpfs and --read-only-tmpfs mounts, parents
// before children.
func mountUser(root string, s *spec.Spec) error {
	mounts := append([]spec.Mount(nil), s.Mounts...)
	sort.SliceStable(mounts, func(i, j int) bool {
		return strings.Count(filepath.Clean(mounts[i].Destination), "/") < strings.Count(filepath.Clean(mounts[j].Destination), "/")
	})
	for _, m := range mounts {
		// SecureJoin resolves symlinks in the destination inside root, so
		// an image cannot point a mount at the host's files.
		target, err := securejoin.SecureJoin(root, m.Destination)
		if err != nil {
			return fmt.Errorf("resolving mount destination %s: %w", m.Destination, err)
		}
		if err := mountOne(m, target); err != nil {
			return err
		}
	}
	return nil
}

func mountOne(m spec.Mount, target string) error {
	if m.Kind == spec.Tmpfs {
		if err := os.MkdirAll(target, 0o755); err != nil {
			return fmt.Errorf("creating mount point %s: %w", m.Destination, err)
		}
		return fsoverlay.Mount("tmpfs", target, "tmpfs", m.Flags, m.Data)
	}
	if err := makeMountpoint(m.Source, target); err != nil {
		return fmt.Errorf("creating mount point %s: %w", m.Destination, err)
	}
	if err := fsoverlay.Mount(m.Source, target, "", unix.MS_BIND|unix.MS_REC|m.Flags, ""); err != nil {
		return err
	}
	if m.ReadOnly {
		return fsoverlay.MakeReadOnly(target, true)
	}
	return nil
}

// makeMountpoint creates target as a directory or an empty file, matching
// what source is.
func makeMountpoint(source, target string) error {
	fi, err := os.Stat(source)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return os.MkdirAll(target, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(target, os.O_CREATE|os.O_RDONLY, 0o644)
	if err != nil {
		return err
	}
	return f.Close()
}

func maskPaths(root string, _ *spec.Spec) error {
	for _, p := range maskedPaths {
		target := filepath.Join(root, p)
		fi, err := os.Lstat(target)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("masking %s: %w", p, err)
		}
		if fi.IsDir() {
			err = fsoverlay.Mount("tmpfs", target, "tmpfs", nsMountFlags|unix.MS_RDONLY, "size=0")
		} else {
			err = fsoverlay.Mount(filepath.Join(root, "/dev/null"), target, "", unix.MS_BIND, "")
		}
		if err != nil {
			return err
		}
	}
	for _, p := range readonlyPaths {
		target := filepath.Join(root, p)
		if _, err := os.Lstat(target); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := fsoverlay.BindReadOnly(target); err != nil {
			return err
		}
	}
	return nil
}

// mkdir makes sure the directory p exists under root (an image may lack
// /proc or /dev) and returns its host-side path. The root is a fresh
// overlay, so a failure shows up as a mount error right after.
func mkdir(root, p string) string {
	target := filepath.Join(root, p)
	_ = os.Mkdir(target, 0o755)
	return target
}

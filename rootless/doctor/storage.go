package doctor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/docker/go-units"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/store"
)

func storageChecks() []check {
	return []check{
		{id: "storage.overlay", run: checkOverlay, dflt: true},
		{id: "storage.xattr", run: checkXattr, dflt: true},
		{id: "storage.fs", run: checkStoreFS},
		{id: "storage.space", run: checkSpace},
		{id: "storage.fuse", run: checkFuse},
	}
}

// Filesystem magic numbers (statfs(2)) of the filesystems that overlayfs
// refuses as an upper dir in a user namespace, or that need a note.
const (
	nfsMagic      = 0x6969
	ramfsMagic    = 0x858458f6
	ecryptfsMagic = 0xf15f
	zfsMagic      = 0x2fc12fc1
	fuseMagic     = 0x65735546
)

// fsNames names the filesystems the checks mention.
var fsNames = map[int64]string{
	unix.EXT4_SUPER_MAGIC: "ext4", unix.XFS_SUPER_MAGIC: "xfs", unix.BTRFS_SUPER_MAGIC: "btrfs",
	unix.TMPFS_MAGIC: "tmpfs", unix.OVERLAYFS_SUPER_MAGIC: "overlay", nfsMagic: "nfs", ramfsMagic: "ramfs",
	ecryptfsMagic: "ecryptfs", zfsMagic: "zfs", fuseMagic: "fuse",
}

// storeFS is the filesystem of the store's root (or of the directory
// that will hold it): its statfs and name.
func (h *Host) storeFS() (string, unix.Statfs_t, error) {
	dir := h.Store.Root
	var st unix.Statfs_t
	for {
		err := unix.Statfs(dir, &st)
		if !errors.Is(err, unix.ENOENT) || dir == "/" {
			name, ok := fsNames[int64(st.Type)]
			if !ok {
				name = fmt.Sprintf("filesystem type %#x", st.Type)
			}
			return name, st, err
		}
		dir = filepath.Dir(dir)
	}
}

// moveStoreFix puts the store on a local filesystem that the user may
// write: --root, or rl.conf's root.
func moveStoreFix(h *Host) string {
	dir := "/var/tmp/" + h.Who() + "-rl"
	return fmt.Sprintf("rl --root %s ..., or for good: mkdir -p %s && echo 'root = %s' >> %s   # a store on a local ext4, xfs or btrfs",
		dir, filepath.Dir(store.ConfigPath()), dir, store.ConfigPath())
}

// checkOverlay: the kernel's overlayfs, mounted in a user namespace with
// its upper and work dirs on the store's filesystem (the namespace probe).
func checkOverlay(h *Host) Result {
	fuse, only := h.Store.FuseOverlay(h.root())
	if only {
		return Result{Status: NA, Found: "mount_program = " + fuse + " in " + store.ConfigPath() + ": rl uses fuse-overlayfs only"}
	}
	name, _, _ := h.storeFS()
	p := h.nsProbe()
	switch {
	case p.Clone != nil || p.Mount != nil:
		return Result{Status: Fail, Found: "not probed: no user namespace to mount in (see userns.create)", Breaks: "every container", Fix: "see userns.create", Manual: true}
	case p.Overlay == nil && h.root():
		return Result{Status: OK, Found: fmt.Sprintf("mounted overlayfs on %s (%s)", h.Store.Root, name)}
	case p.Overlay == nil:
		return Result{Status: OK, Found: fmt.Sprintf("mounted overlayfs with userxattr in a user namespace on %s (%s)", h.Store.Root, name)}
	}
	r := Result{Status: Fail, Found: fmt.Sprintf("overlayfs on %s (%s) failed: %s", h.Store.Root, name, p.Overlay.Error()),
		Breaks: "every container: rl cannot mount its root filesystem", Fix: moveStoreFix(h)}
	if fuse != "" {
		r.Status, r.Breaks = Warn, "speed: rl falls back to fuse-overlayfs ("+fuse+")"
	}
	return r
}

// checkXattr: overlayfs in a user namespace keeps its metadata (whiteouts,
// opaque dirs) in user.* xattrs on the upper dir.
func checkXattr(h *Host) Result {
	name, _, _ := h.storeFS()
	if h.root() {
		return Result{Status: NA, Found: "real root's overlay keeps trusted.* xattrs"}
	}
	err := os.MkdirAll(h.Store.Root, 0o700)
	var f *os.File
	if err == nil {
		f, err = os.CreateTemp(h.Store.Root, "doctor-xattr-")
	}
	if err == nil {
		err = unix.Fsetxattr(int(f.Fd()), "user.rl.doctor", []byte("1"), 0)
		f.Close()
		os.Remove(f.Name())
	}
	if err != nil {
		return Result{Status: Fail, Found: fmt.Sprintf("setting a user.* xattr on %s (%s): %v", h.Store.Root, name, err),
			Breaks: "every container: overlayfs in a user namespace needs user.* xattrs on its upper dir", Fix: moveStoreFix(h)}
	}
	return Result{Status: OK, Found: fmt.Sprintf("user.* xattrs work on %s (%s)", h.Store.Root, name)}
}

// checkStoreFS: filesystems known to give overlayfs or storage trouble,
// and d_type, without which overlayfs cannot tell whiteouts.
func checkStoreFS(h *Host) Result {
	name, st, err := h.storeFS()
	if err != nil {
		return Result{Status: Fail, Found: err.Error(), Breaks: "every container", Fix: moveStoreFix(h)}
	}
	found := h.Store.Root + " is on " + name
	switch st.Type {
	case nfsMagic, ecryptfsMagic, unix.OVERLAYFS_SUPER_MAGIC, zfsMagic:
		return Result{Status: Warn, Found: found, Breaks: "overlayfs refuses " + name + " as an upper dir (ZFS before 2.2); rl falls back to fuse-overlayfs if installed",
			Fix: moveStoreFix(h)}
	}
	if st.Type == unix.TMPFS_MAGIC && !kernelAtLeast(6, 6) {
		return Result{Status: Warn, Found: found + ", on a kernel before 6.6", Breaks: "overlayfs in a user namespace: tmpfs has user.* xattrs from Linux 6.6 on; rl falls back to fuse-overlayfs if installed",
			Fix: moveStoreFix(h)}
	}
	if !hasDType(h.Store.Root) {
		return Result{Status: Warn, Found: found + " without d_type", Breaks: "overlayfs: whiteouts cannot be told from files (xfs needs ftype=1)", Fix: moveStoreFix(h)}
	}
	return Result{Status: OK, Found: found + ", with d_type"}
}

// hasDType is true when getdents(2) on dir reports entry types.
func hasDType(dir string) bool {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return true
	}
	defer unix.Close(fd)
	buf := make([]byte, 4096)
	n, err := unix.Getdents(fd, buf)
	if err != nil {
		return true
	}
	// linux_dirent64: ino 8, off 8, reclen 2, type 1, name.
	for off := 0; off+19 <= n; {
		reclen := int(buf[off+16]) | int(buf[off+17])<<8
		if buf[off+18] == unix.DT_UNKNOWN {
			return false
		}
		if reclen == 0 {
			break
		}
		off += reclen
	}
	return true
}

// minFree is what a pull leaves free by default (rl-image's min_free,
// rootless/image/backend), unless rl.conf sets it.
const minFree = 1 << 30

// checkSpace: a pull stops before it leaves less than min_free.
func checkSpace(h *Host) Result {
	_, st, err := h.storeFS()
	if err != nil {
		return Result{Status: NA, Found: err.Error()}
	}
	free := int64(st.Bavail) * st.Bsize
	want := h.Store.MinFree
	if want == 0 {
		want = min(minFree, int64(st.Blocks)*st.Bsize/20)
	}
	found := units.BytesSize(float64(free)) + " free on the store's filesystem"
	if free < want {
		return Result{Status: Warn, Found: found, Breaks: "pulls: rl-image keeps " + units.BytesSize(float64(want)) + " free (min_free)", Fix: "free space, or " + moveStoreFix(h)}
	}
	return Result{Status: OK, Found: found}
}

// checkFuse: fuse-overlayfs and /dev/fuse, rl's fallback where the
// kernel refuses overlayfs.
func checkFuse(h *Host) Result {
	fuse, _ := h.Store.FuseOverlay(false)
	if fuse == "" {
		return Result{Status: Warn, Found: "fuse-overlayfs is not installed", Breaks: "the fallback where the kernel refuses overlayfs (kernels before 5.11, a store on NFS)",
			Fix: installFix("fuse-overlayfs", "fuse-overlayfs", "fuse-overlayfs"), Root: true}
	}
	dev := h.sys("/dev/fuse")
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	if err != nil {
		return Result{Status: Warn, Found: fuse + " is installed, but " + err.Error(), Breaks: "the fuse-overlayfs fallback",
			Fix: "chmod 0666 " + dev, Root: true}
	}
	f.Close()
	return Result{Status: OK, Found: fuse + ", and " + dev + " is usable"}
}

// kernelAtLeast is true when the running kernel is major.minor or newer.
func kernelAtLeast(major, minor int) bool {
	var uts unix.Utsname
	if unix.Uname(&uts) != nil {
		return true
	}
	var maj, mnr int
	if _, err := fmt.Sscanf(unix.ByteSliceToString(uts.Release[:]), "%d.%d", &maj, &mnr); err != nil {
		return true
	}
	return maj > major || maj == major && mnr >= minor
}

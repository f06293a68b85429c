package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// Store is where rl keeps containers. Root is persistent (each container's
// writable layer and its name); RunRoot is volatile (state files and mount
// points), as podman's graph root and run root.
type Store struct {
	Root    string
	RunRoot string
	// MountProgram, when set (mount_program in rl.conf, as in podman's
	// storage.conf), mounts every container's overlay instead of the
	// kernel: fuse-overlayfs.
	MountProgram string
	// MaxLayerFile and MinFree bound a pull (max_layer_file and min_free
	// in rl.conf; 0: rl-image's defaults): the largest file a layer may
	// unpack, and the free space it must leave on the store's filesystem.
	MaxLayerFile, MinFree int64
}

// FuseOverlay is how rl-init may use fuse-overlayfs: the configured
// mount_program always (only), or else, rootless, fuse-overlayfs from PATH
// as the fallback for a kernel that refuses overlayfs in a user namespace
// ("" when it is not installed).
func (s Store) FuseOverlay(privileged bool) (program string, only bool) {
	if s.MountProgram != "" {
		return s.MountProgram, true
	}
	if privileged {
		return "", false
	}
	program, _ = exec.LookPath("fuse-overlayfs")
	return program, false
}

// Default returns the store locations for the calling user:
// ${XDG_DATA_HOME:-~/.local/share}/rl and ${XDG_RUNTIME_DIR}/rl (or
// /tmp/rl-run-UID when there is no runtime dir); /var/lib/rl and /run/rl
// for root.
func Default() (Store, error) {
	if os.Getuid() == 0 {
		return Store{Root: "/var/lib/rl", RunRoot: "/run/rl"}, nil
	}
	data, err := xdgDir("XDG_DATA_HOME", filepath.Join(".local", "share"))
	if err != nil {
		return Store{}, fmt.Errorf("finding the storage root: %w (set XDG_DATA_HOME or HOME, or pass --root)", err)
	}
	run := os.Getenv("XDG_RUNTIME_DIR")
	if run == "" || unix.Access(run, unix.W_OK) != nil {
		run = filepath.Join(os.TempDir(), "rl-run-"+strconv.Itoa(os.Getuid()))
	} else {
		run = filepath.Join(run, "rl")
	}
	return Store{Root: filepath.Join(data, "rl"), RunRoot: run}, nil
}

// SharedUserNSDir is the directory of the holder of the caller's shared
// user namespace (rootless/launch): the caller's default run root,
// whatever --runroot says, so that one holder serves every store of the
// user, as podman's pause process does.
func SharedUserNSDir() (string, error) {
	d, err := Default()
	if err == nil {
		err = d.EnsureRunRoot()
	}
	return d.RunRoot, err
}

// GraphRoot is the containers/storage graph root inside the store.
func (s Store) GraphRoot() string { return filepath.Join(s.Root, "storage") }

// ImageRunRoot is containers/storage's run root inside the store.
func (s Store) ImageRunRoot() string { return filepath.Join(s.RunRoot, "storage") }

// EnsureRunRoot creates the run root, refusing one that another user owns
// (it may sit in a shared /tmp).
func (s Store) EnsureRunRoot() error {
	if err := os.MkdirAll(s.RunRoot, 0o700); err != nil {
		return fmt.Errorf("creating the run root: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Stat(s.RunRoot, &st); err != nil {
		return fmt.Errorf("checking the run root: %w", err)
	}
	if int(st.Uid) != os.Getuid() {
		return fmt.Errorf("the run root %s belongs to uid %d, not to you: remove it or pass --runroot", s.RunRoot, st.Uid)
	}
	return nil
}

// Lock takes the store's lock, which orders creations and removals.
func (s Store) Lock() (unlock func(), err error) { return s.LockNamed("containers") }

// LockNamed takes the store's lock name (NAME.lock in its root), which
// orders what the holders of that name do.
func (s Store) LockNamed(name string) (unlock func(), err error) {
	if err := os.MkdirAll(s.Root, 0o700); err != nil {
		return nil, fmt.Errorf("creating the storage root: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(s.Root, name+".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking the container store: %w", err)
	}
	if err := flock(f, unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking the container store: %w", err)
	}
	return func() { f.Close() }, nil
}

// flock is flock(2), retried when a signal interrupts it.
func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// WriteAtomic writes b to path through a temporary file and a rename, so
// that a reader sees the old or the new content, never half of it.
func WriteAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// readFile is os.ReadFile for the store's small files and /proc's, with
// four system calls where os.ReadFile makes eight (an os.File registers
// with the poller, sets the descriptor blocking again and stats the file):
// rl ps reads two or three files for each container it lists.
func readFile(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	b := make([]byte, 0, 1024) // a state, a health record or a /proc/PID/stat: most are smaller
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := unix.Read(fd, b[len(b):cap(b)])
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		case n == 0:
			return b, nil
		}
		b = b[:len(b)+n]
	}
}

func ignoreMissing(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// Exists is true when path exists.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Crashpoint kills rl at the named point when RL_TEST_CRASH_AT names it:
// the tests' way to check that a kill -9 at any step leaves state that the
// next command repairs (tests/lifecycle.bats).
func Crashpoint(name string) {
	if os.Getenv("RL_TEST_CRASH_AT") == name {
		_ = unix.Kill(os.Getpid(), unix.SIGKILL)
	}
}

// NewID returns a new container or pod id: 64 random hex digits.
func NewID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating an id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ValidID is true for a full container or pod id: 64 lowercase hex
// digits.
func ValidID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, r := range id {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

package rootless

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/docker/docker/pkg/namesgenerator"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/network"

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
}

// fuseOverlay is how rl-init may use fuse-overlayfs: the configured
// mount_program always (only), or else, rootless, fuse-overlayfs from PATH
// as the fallback for a kernel that refuses overlayfs in a user namespace
// ("" when it is not installed).
func (s Store) fuseOverlay(privileged bool) (program string, only bool) {
	if s.MountProgram != "" {
		return s.MountProgram, true
	}
	if privileged {
		return "", false
	}
	program, _ = exec.LookPath("fuse-overlayfs")
	return program, false
}

// DefaultStore returns the store locations for the calling user:
// ${XDG_DATA_HOME:-~/.local/share}/rl and ${XDG_RUNTIME_DIR}/rl (or
// /tmp/rl-run-UID when there is no runtime dir); /var/lib/rl and /run/rl
// for root.
func DefaultStore() (Store, error) {
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

// State is a container's state file, state.json in its data directory
// (persistent, so that a container outlives a reboot as exited).
type State struct {
	ID       string    `json:"id"`
	Name     string    `json:"name,omitempty"`
	Rootfs   string    `json:"rootfs,omitempty"`
	Image    string    `json:"image,omitempty"`
	ImageID  string    `json:"image_id,omitempty"`
	Command  []string  `json:"command"`
	Status   string    `json:"status"`
	Pid      int       `json:"pid,omitempty"`
	ExitCode int       `json:"exit_code"`
	Created  time.Time `json:"created"`
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	// Ports are the published ports, host ports chosen.
	Ports []network.PortMapping `json:"ports,omitempty"`
	// Cgroup is the container's cgroup and the controllers whose limits
	// it enforces, when it asked for limits.
	Cgroup *CgroupState `json:"cgroup,omitempty"`
	// Monitor is the process that supervises the container: rl itself in
	// the foreground, a detached rl monitor with -d. The container runs
	// only as long as it does (see alive).
	Monitor Process `json:"monitor,omitzero"`
	// Error says why the container stopped other than by its command's
	// exit, when rl knows.
	Error string `json:"error,omitempty"`
	// StopRequested is set by rl stop and rl kill: the exit was asked
	// for, so --restart does not restart the container.
	StopRequested bool `json:"stop_requested,omitempty"`
	// Restarts counts the restarts --restart made.
	Restarts int `json:"restarts,omitempty"`
	// Health is the health checks' verdict (starting, healthy or
	// unhealthy) while the container runs, read from health.json.
	Health string `json:"-"`
	// Pod and PodID name the pod the container belongs to.
	Pod   string `json:"pod,omitempty"`
	PodID string `json:"pod_id,omitempty"`
}

// CgroupState records where a container's limits live.
type CgroupState struct {
	Manager  string   `json:"manager"`
	Path     string   `json:"path"`
	Enforced []string `json:"enforced"`
	// Unenforced are the best-effort warnings: limits asked for that
	// nothing enforces.
	Unenforced []string `json:"unenforced,omitempty"`
}

// Container statuses.
const (
	StatusCreated = "created"
	StatusRunning = "running"
	// StatusRestarting is a container between two runs of --restart.
	StatusRestarting = "restarting"
	StatusExited     = "exited"
)

// active is true while the container has a monitor: running, or
// waiting to be restarted.
func (st State) active() bool { return st.Status == StatusRunning || st.Status == StatusRestarting }

// container is one container's place in the store.
type container struct {
	store Store
	state State
}

func (c *container) runDir() string  { return filepath.Join(c.store.RunRoot, "containers", c.state.ID) }
func (c *container) dataDir() string { return filepath.Join(c.store.Root, "containers", c.state.ID) }
func (c *container) logPath() string { return filepath.Join(c.dataDir(), "ctr.log") }
func (c *container) upper() string   { return filepath.Join(c.dataDir(), "upper") }
func (c *container) work() string    { return filepath.Join(c.dataDir(), "work") }
func (c *container) mountpoint() string {
	return filepath.Join(c.runDir(), "rootfs")
}

func (s Store) nameLink(name string) string { return filepath.Join(s.Root, "names", name) }

// create makes a new container's directories and reserves its name; the
// caller writes its state (saveLaunch) and then unlocks.
func (s Store) create(name string) (c *container, unlock func(), err error) {
	id, err := newID()
	if err != nil {
		return nil, nil, err
	}
	c = &container{store: s, state: State{ID: id, Name: name, Status: StatusCreated, Created: time.Now()}}
	if err := s.ensureRunRoot(); err != nil {
		return nil, nil, err
	}
	// Under the store's lock until the caller has written the state: a
	// container without state is then one whose creator died, which
	// repair may remove.
	if unlock, err = s.lock(); err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*container, func(), error) {
		c.remove()
		unlock()
		return nil, nil, err
	}
	if c.state.Name, err = s.reserveName(name, id); err != nil {
		unlock()
		return nil, nil, err
	}
	// The container's directories are private; the upper dir itself is
	// 0755 because overlayfs gives the container's / its mode.
	for _, d := range []string{c.dataDir(), c.runDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fail(fmt.Errorf("creating container directory: %w", err))
		}
	}
	for _, d := range []string{c.upper(), c.work(), c.mountpoint()} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return fail(fmt.Errorf("creating container directory: %w", err))
		}
	}
	crashpoint("create")
	return c, unlock, nil
}

// reserveName links name to id, or, without a name, a generated one
// (docker's adjective_scientist) that is free.
func (s Store) reserveName(name, id string) (string, error) {
	if err := os.MkdirAll(filepath.Join(s.Root, "names"), 0o700); err != nil {
		return "", fmt.Errorf("creating the storage root: %w", err)
	}
	for retry := 0; ; retry++ {
		n := name
		if n == "" {
			n = namesgenerator.GetRandomName(retry)
		}
		err := os.Symlink(id, s.nameLink(n))
		if err == nil {
			return n, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("reserving the container name: %w", err)
		}
		other, _ := os.Readlink(s.nameLink(n))
		if !exists(filepath.Join(s.Root, "containers", other, "state.json")) {
			// Its creator or remover died (we hold the store's lock).
			_ = os.Remove(s.nameLink(n))
			retry--
			continue
		}
		if name != "" {
			return "", fmt.Errorf("the container name %q is already in use by container %.12s: choose another name, or remove that container", name, other)
		}
	}
}

// ensureRunRoot creates the run root, refusing one that another user owns
// (it may sit in a shared /tmp).
func (s Store) ensureRunRoot() error {
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

func (c *container) saveState() error {
	b, err := json.MarshalIndent(c.state, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(c.dataDir(), "state.json"), b)
}

// writeAtomic writes b to path through a temporary file and a rename, so
// that a reader sees the old or the new content, never half of it.
func writeAtomic(path string, b []byte) error {
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

// remove deletes the container's directories and name. Files in its
// writable layer that belong to subordinate ids are not ours on the host;
// those are removed from inside a user namespace (removeInUserns).
func (c *container) remove() error {
	// The state goes first: from then on the container is not listed, and
	// what is left of it, should rl die now, is garbage for repair.
	errs := []error{ignoreMissing(os.Remove(filepath.Join(c.dataDir(), "state.json")))}
	if c.state.Name != "" {
		if target, _ := os.Readlink(c.store.nameLink(c.state.Name)); target == c.state.ID {
			errs = append(errs, os.Remove(c.store.nameLink(c.state.Name)))
		}
	}
	errs = append(errs, os.RemoveAll(c.runDir()))
	if cg := c.state.Cgroup; cg != nil {
		errs = append(errs, cgroupsd.Cleanup(cg.Manager, cg.Path))
	}
	crashpoint("remove")
	if err := os.RemoveAll(c.dataDir()); err != nil {
		errs = append(errs, removeInUserns(c.dataDir()))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing container %.12s: %w", c.state.ID, err)
	}
	return nil
}

func ignoreMissing(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// repair removes what dead rl processes left half made or half removed:
// container directories without a state, run directories without a
// container, names of no container. The caller holds the store's lock.
func (s Store) repair() error {
	var errs []error
	dirs, _ := os.ReadDir(filepath.Join(s.Root, "containers"))
	for _, d := range dirs {
		c := &container{store: s, state: State{ID: d.Name()}}
		if validID(d.Name()) && !exists(filepath.Join(c.dataDir(), "state.json")) {
			errs = append(errs, c.remove())
		}
	}
	runs, _ := os.ReadDir(filepath.Join(s.RunRoot, "containers"))
	for _, d := range runs {
		if validID(d.Name()) && !exists(filepath.Join(s.Root, "containers", d.Name())) {
			errs = append(errs, os.RemoveAll(filepath.Join(s.RunRoot, "containers", d.Name())))
		}
	}
	names, _ := os.ReadDir(filepath.Join(s.Root, "names"))
	for _, n := range names {
		target, err := os.Readlink(s.nameLink(n.Name()))
		if err == nil && !exists(filepath.Join(s.Root, "containers", target, "state.json")) {
			errs = append(errs, os.Remove(s.nameLink(n.Name())))
		}
	}
	return errors.Join(errs...)
}

// crashpoint kills rl at the named point when RL_TEST_CRASH_AT names it:
// the tests' way to check that a kill -9 at any step leaves state that the
// next command repairs (tests/lifecycle.bats).
func crashpoint(name string) {
	if os.Getenv("RL_TEST_CRASH_AT") == name {
		_ = unix.Kill(os.Getpid(), unix.SIGKILL)
	}
}

func newID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating container id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// saveLaunch writes the container's launch (config.json) and its state.
func (c *container) saveLaunch(l *launch) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(c.dataDir(), "config.json"), b); err != nil {
		return err
	}
	return c.saveState()
}

// readLaunch reads what create saved.
func (c *container) readLaunch() (*launch, error) {
	b, err := os.ReadFile(filepath.Join(c.dataDir(), "config.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the configuration of %.12s: %w", c.state.ID, err)
	}
	l := &launch{}
	if err := json.Unmarshal(b, l); err != nil {
		return nil, fmt.Errorf("reading the configuration of %.12s: %w", c.state.ID, err)
	}
	return l, nil
}

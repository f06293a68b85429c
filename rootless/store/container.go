package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/pkg/namesgenerator"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
)

// Container is one container's place in the store, with its state as last
// read or about to be written.
type Container struct {
	Store Store
	State State
	// lock is the container's lock while this process holds it
	// (LockMonitor).
	lock *os.File
}

// RunDir is the container's volatile directory (mount point, /etc files,
// markers, health).
func (c *Container) RunDir() string {
	return filepath.Join(c.Store.RunRoot, "containers", c.State.ID)
}

// DataDir is the container's persistent directory (state, record,
// writable layer, log).
func (c *Container) DataDir() string { return filepath.Join(c.Store.Root, "containers", c.State.ID) }

// LogPath is the container's log (ctr.log), written by its monitor.
func (c *Container) LogPath() string { return filepath.Join(c.DataDir(), "ctr.log") }

// Upper and Work are the overlay's writable layer and work directory.
func (c *Container) Upper() string { return filepath.Join(c.DataDir(), "upper") }

// Work is the overlay's work directory.
func (c *Container) Work() string { return filepath.Join(c.DataDir(), "work") }

// Mountpoint is where rl-init mounts the container's root.
func (c *Container) Mountpoint() string { return filepath.Join(c.RunDir(), "rootfs") }

// NetStateDir is where the container's network helpers keep their
// sockets and logs: short, because a unix socket's path has at most 108
// bytes.
func (c *Container) NetStateDir() string {
	return filepath.Join(c.Store.RunRoot, "net", c.State.ID[:12])
}

// HealthPath is the health checks' record (health.json).
func (c *Container) HealthPath() string { return filepath.Join(c.RunDir(), "health.json") }

// StopMarker exists while rl stop or rl kill ends the container: its exit
// was asked for, so --restart does not restart it.
func (c *Container) StopMarker() string { return filepath.Join(c.RunDir(), "stopping") }

// MarkStopped writes the stop marker, which keeps the monitor from
// restarting the container; stopping says that it is a stop (rl stop,
// a health check's), which inspect and ps show until the container exits
// (ShownStatus), not a kill's.
func (c *Container) MarkStopped(stopping bool) {
	var what []byte
	if stopping {
		what = []byte("stop\n")
	}
	_ = os.WriteFile(c.StopMarker(), what, 0o600)
}

func (s Store) nameLink(name string) string { return filepath.Join(s.Root, "names", name) }

// Create makes a new container's directories and reserves its name; the
// caller writes its record (SaveRecord) and then unlocks. The container
// gets id, or a new one where id is "" (NewID).
func (s Store) Create(name, id string) (c *Container, unlock func(), err error) {
	if id == "" {
		if id, err = NewID(); err != nil {
			return nil, nil, err
		}
	}
	c = &Container{Store: s, State: State{ID: id, Name: name, Status: StatusCreated, Created: time.Now()}}
	if err := s.EnsureRunRoot(); err != nil {
		return nil, nil, err
	}
	// Under the store's lock until the caller has written the state: a
	// container without state is then one whose creator died, which
	// repair may remove.
	if unlock, err = s.Lock(); err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*Container, func(), error) {
		_ = c.Remove()
		unlock()
		return nil, nil, err
	}
	if c.State.Name, err = s.reserveName(name, id); err != nil {
		unlock()
		return nil, nil, err
	}
	// The container's directories are private; the upper dir itself is
	// 0755 because overlayfs gives the container's / its mode.
	for _, d := range []string{c.DataDir(), c.RunDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fail(fmt.Errorf("creating container directory: %w", err))
		}
	}
	for _, d := range []string{c.Upper(), c.Work(), c.Mountpoint()} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return fail(fmt.Errorf("creating container directory: %w", err))
		}
	}
	Crashpoint("create")
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
		if !Exists(filepath.Join(s.Root, "containers", other, "state.json")) {
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

// Save writes the container's state, keeping the active index a superset
// of the active containers: an active one is indexed before its state
// says so (and again after), another dropped from the index after.
func (c *Container) Save() error {
	b, err := json.MarshalIndent(c.State, "", "  ")
	if err != nil {
		return err
	}
	if c.State.Active() {
		if err := c.Store.markActive(c.State.ID); err != nil {
			return err
		}
		Crashpoint("indexed")
	}
	if err := WriteAtomic(filepath.Join(c.DataDir(), "state.json"), b); err != nil {
		return err
	}
	if c.State.Active() {
		// Again: a reader that read the state before it was written may
		// have dropped the entry as inactive since (ListActive).
		return c.Store.markActive(c.State.ID)
	}
	return c.Store.unmarkActive(c.State.ID)
}

// SaveRecord writes the container's record (config.json) and its state.
func (c *Container) SaveRecord(r *config.Record) error {
	if err := c.SaveConfig(r); err != nil {
		return err
	}
	return c.Save()
}

// SaveConfig writes the container's record (config.json) alone, leaving
// its state as its monitor keeps it.
func (c *Container) SaveConfig(r *config.Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return WriteAtomic(filepath.Join(c.DataDir(), "config.json"), b)
}

// Record reads what SaveRecord wrote.
func (c *Container) Record() (*config.Record, error) {
	b, err := os.ReadFile(filepath.Join(c.DataDir(), "config.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the configuration of %.12s: %w", c.State.ID, err)
	}
	r := &config.Record{}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("reading the configuration of %.12s: %w", c.State.ID, err)
	}
	return r, nil
}

// Labels reads the container's labels from its record: that field alone,
// which rl ps decodes for every container it lists with --format, where
// Record would decode the whole spec.
func (c *Container) Labels() (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(c.DataDir(), "config.json")) // sized by fstat: records are several KiB
	if err != nil {
		return nil, fmt.Errorf("reading the labels of %.12s: %w", c.State.ID, err)
	}
	var r struct {
		Options struct {
			Labels map[string]string `json:"labels"`
		} `json:"options"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("reading the labels of %.12s: %w", c.State.ID, err)
	}
	return r.Options.Labels, nil
}

func (c *Container) readStateFile() error {
	b, err := readFile(filepath.Join(c.DataDir(), "state.json"))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, &c.State)
}

// ReadState reads c's state file and settles it: a container whose
// monitor is gone without recording the end (killed, or the machine
// rebooted) is exited, with the reason.
func (c *Container) ReadState() error {
	if err := c.readStateFile(); err != nil {
		return err
	}
	// A monitor records the exit, then exits: one gone since the file
	// was read may have recorded it meanwhile.
	if c.State.Active() && !c.State.Monitor.Alive() {
		if err := c.readStateFile(); err != nil {
			return err
		}
	}
	if c.State.Active() && !c.State.Monitor.Alive() {
		c.State.Status, c.State.ExitCode = StatusExited, -1
		c.State.Error = fmt.Sprintf("rl's monitor (pid %d) ended without recording the container's exit: it was killed, or the machine restarted", c.State.Monitor.Pid)
	}
	if c.State.Status == StatusRunning {
		if h := c.Health(); h != nil {
			c.State.Health = h.Status
		}
	}
	return nil
}

// Health returns the container's health, nil without checks.
func (c *Container) Health() *Health {
	b, err := readFile(c.HealthPath())
	if err != nil {
		return nil
	}
	var h Health
	if json.Unmarshal(b, &h) != nil {
		return nil
	}
	return &h
}

// ErrLocked is wrapped by LockMonitor's error for a lock that a monitor
// holds.
var ErrLocked = errors.New("running already")

// LockMonitor takes the lock that a container's monitor holds for its
// whole life: flock(2) on the container's data directory. With wait, it
// blocks until the monitor is gone (or the container, removed); without,
// a held lock is an error. The kernel drops the lock when its holder
// dies, however it dies.
func (c *Container) LockMonitor(wait bool) (unlock func(), err error) {
	how := unix.LOCK_EX | unix.LOCK_NB
	if wait {
		how = unix.LOCK_EX
	}
	f, err := os.Open(c.DataDir())
	if err == nil {
		err = flock(f, how)
		if err != nil {
			f.Close()
		}
	}
	if errors.Is(err, unix.EWOULDBLOCK) {
		return nil, fmt.Errorf("container %.12s is %w", c.State.ID, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("locking container %.12s: %w", c.State.ID, err)
	}
	c.lock = f
	return func() {
		if c.lock == f {
			c.lock = nil
		}
		f.Close()
	}, nil
}

// WaitMonitor waits until the container's monitor is gone: it has
// recorded the exit (and applied --rm).
func (c *Container) WaitMonitor() {
	if unlock, err := c.LockMonitor(true); err == nil {
		unlock()
	}
}

// RecordExit leaves the exit code of a container that is removed as it
// exits (--rm) for rl wait: RunRoot/exits/ID, as podman's exits directory.
func (c *Container) RecordExit() {
	dir := filepath.Join(c.Store.RunRoot, "exits")
	if os.MkdirAll(dir, 0o700) == nil {
		_ = WriteAtomic(filepath.Join(dir, c.State.ID), fmt.Appendf(nil, "%d\n", c.State.ExitCode))
		pruneExits(dir, time.Now())
	}
}

// exitsKept is how long the exit code of a container that was removed as
// it exited stays for rl wait, as long as podman keeps one (libpod's exit
// code timeout).
const exitsKept = 5 * time.Minute

// pruneExits removes the exit codes in dir older than exitsKept, at most
// once in that time (its .pruned file says when it last did): a --rm
// container's start must not read the whole directory.
func pruneExits(dir string, now time.Time) {
	marker := filepath.Join(dir, ".pruned")
	if st, err := os.Stat(marker); err == nil && now.Sub(st.ModTime()) < exitsKept {
		return
	}
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && ValidID(e.Name()) && now.Sub(info.ModTime()) > exitsKept {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// ExitCode reads the exit code that the monitor of the removed container
// id left (RecordExit).
func (s Store) ExitCode(id string) (int, bool) {
	if !ValidID(id) {
		return 0, false
	}
	b, err := os.ReadFile(filepath.Join(s.RunRoot, "exits", id))
	if err != nil {
		return 0, false
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return code, err == nil
}

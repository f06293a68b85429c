package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"
)

// The active index, RunRoot/active, holds an empty file named by the id of
// every container whose state says running or restarting, so that rl ps
// reads the state of those alone instead of every container's. It may hold
// more (a container whose monitor was killed, one whose remover died), never
// fewer: Save adds a container's entry before it writes an active state (and
// again after) and drops it after it writes another, Remove drops it after
// the state, and ListActive drops those it finds not active. Readers take the
// index only when it is complete (its .complete file exists); one that is
// not (a new run root, one emptied by a reboot or a logout, a store of rl
// before the index, a builder killed half-way) is built again from every
// state file, by whichever reader comes first: entries are only added by
// a build, so builders, and containers starting meanwhile, can race.

// activeComplete is the file that says the active index is built.
const activeComplete = ".complete"

func (s Store) activeDir() string { return filepath.Join(s.RunRoot, "active") }

// markActive adds id to the active index.
func (s Store) markActive(id string) error {
	err := touch(filepath.Join(s.activeDir(), id))
	if errors.Is(err, os.ErrNotExist) {
		// No index yet: the next reader builds it, keeping this entry.
		if err = os.MkdirAll(s.activeDir(), 0o700); err == nil {
			err = touch(filepath.Join(s.activeDir(), id))
		}
	}
	if err != nil {
		return fmt.Errorf("indexing container %.12s as active: %w", id, err)
	}
	return nil
}

// unmarkActive drops id from the active index.
func (s Store) unmarkActive(id string) error {
	if err := ignoreMissing(os.Remove(filepath.Join(s.activeDir(), id))); err != nil {
		return fmt.Errorf("dropping container %.12s from the active index: %w", id, err)
	}
	return nil
}

// ListActive returns the state of every active container (running or
// restarting), oldest first, as List would select them, reading the
// states that the active index names, and dropping from it those that are
// not active. Where the index can be neither read nor built, it reads
// every state.
func (s Store) ListActive() ([]State, error) {
	ids, err := s.activeIDs()
	indexed := err == nil
	if !indexed {
		slog.Debug("reading every container's state: the active index is unusable", "err", err)
		if ids, err = s.containerIDs(); err != nil {
			return nil, err
		}
	}
	active := slices.DeleteFunc(s.readStates(ids), func(st State) bool { return !st.Active() })
	if indexed && len(active) < len(ids) {
		s.dropInactive(ids, active)
	}
	return active, nil
}

// dropInactive drops the ids that are not among active from the active
// index (containers that exited as their monitor died, or whose remover
// died), each unless its state says by now that it is active: Save indexes
// an active container again after it writes the state, so that of a
// container that starts meanwhile, either that or the check here keeps the
// entry.
func (s Store) dropInactive(ids []string, active []State) {
	keep := make(map[string]bool, len(active))
	for _, st := range active {
		keep[st.ID] = true
	}
	for _, id := range ids {
		if keep[id] || s.unmarkActive(id) != nil {
			continue
		}
		c := &Container{Store: s, State: State{ID: id}}
		if c.ReadState() == nil && c.State.Active() {
			_ = s.markActive(id)
		}
	}
}

// activeIDs returns the ids in the active index, building it first when it
// is not complete; none for a store without containers.
func (s Store) activeIDs() ([]string, error) {
	if !Exists(filepath.Join(s.activeDir(), activeComplete)) {
		if err := s.buildActive(); err != nil {
			return nil, err
		}
	}
	err := s.ownActiveDir()
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // no containers, so no index either
	}
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(s.activeDir())
	if err != nil {
		return nil, fmt.Errorf("reading the active index: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if ValidID(e.Name()) {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// buildActive adds every active container to the active index, then marks
// it complete. A store without containers needs no index.
func (s Store) buildActive() error {
	ids, err := s.containerIDs()
	if err != nil || len(ids) == 0 {
		return err
	}
	if err := os.MkdirAll(s.activeDir(), 0o700); err != nil {
		return fmt.Errorf("building the active index: %w", err)
	}
	if err := s.ownActiveDir(); err != nil {
		return err
	}
	for _, st := range s.readStates(ids) {
		if !st.Active() {
			continue
		}
		if err := touch(filepath.Join(s.activeDir(), st.ID)); err != nil {
			return fmt.Errorf("building the active index: %w", err)
		}
	}
	Crashpoint("index")
	if err := touch(filepath.Join(s.activeDir(), activeComplete)); err != nil {
		return fmt.Errorf("building the active index: %w", err)
	}
	return nil
}

// ownActiveDir checks that the active index is a directory of the
// caller's: a run root in a shared /tmp may be another user's (see
// EnsureRunRoot), whose index could hide containers from rl ps.
func (s Store) ownActiveDir() error {
	var st unix.Stat_t
	if err := unix.Lstat(s.activeDir(), &st); err != nil {
		return fmt.Errorf("checking the active index: %w", &os.PathError{Op: "lstat", Path: s.activeDir(), Err: err})
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR || int(st.Uid) != os.Getuid() {
		return fmt.Errorf("checking the active index: %s is not a directory of uid %d", s.activeDir(), os.Getuid())
	}
	return nil
}

// touch creates the empty file path if it does not exist.
func touch(path string) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	return unix.Close(fd)
}

package store

import (
	"errors"
	"os"
	"path/filepath"
)

// Repair removes what dead rl processes left half made or half removed:
// container directories without a state (but those that a purge process
// holds the lock of: it removes them), run directories without a
// container, names of no container, and entries of the active index of
// containers that do not run. The caller holds the store's lock.
func (s Store) Repair() error {
	var errs []error
	dirs, _ := os.ReadDir(filepath.Join(s.Root, "containers"))
	for _, d := range dirs {
		c := &Container{Store: s, State: State{ID: d.Name()}}
		if !ValidID(d.Name()) || Exists(filepath.Join(c.DataDir(), "state.json")) {
			continue
		}
		if unlock, err := c.LockMonitor(false); err == nil {
			errs = append(errs, c.Remove())
			unlock()
		}
	}
	runs, _ := os.ReadDir(filepath.Join(s.RunRoot, "containers"))
	for _, d := range runs {
		if ValidID(d.Name()) && !Exists(filepath.Join(s.Root, "containers", d.Name())) {
			errs = append(errs, os.RemoveAll(filepath.Join(s.RunRoot, "containers", d.Name())))
		}
	}
	names, _ := os.ReadDir(filepath.Join(s.Root, "names"))
	for _, n := range names {
		target, err := os.Readlink(s.nameLink(n.Name()))
		if err == nil && !Exists(filepath.Join(s.Root, "containers", target, "state.json")) {
			errs = append(errs, os.Remove(s.nameLink(n.Name())))
		}
	}
	_, err := s.ListActive() // which drops the entries of containers that do not run
	errs = append(errs, err)
	return errors.Join(errs...)
}

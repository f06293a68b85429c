package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrNoContainer is returned for a name or id that names no container.
var ErrNoContainer = errors.New("no such container")

// List returns the state of every container, oldest first.
func (s Store) List() ([]State, error) {
	dirs, err := os.ReadDir(filepath.Join(s.Root, "containers"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	var out []State
	for _, d := range dirs {
		if !ValidID(d.Name()) {
			continue
		}
		c := &Container{Store: s, State: State{ID: d.Name()}}
		// A container being made has no state yet; one being removed
		// has lost it: neither is listed.
		if c.ReadState() == nil {
			out = append(out, c.State)
		}
	}
	sortOldestFirst(out)
	return out, nil
}

// sortOldestFirst sorts states by their creation.
func sortOldestFirst(states []State) {
	slices.SortFunc(states, func(a, b State) int { return a.Created.Compare(b.Created) })
}

// Load finds the container ref (a name, a full id or a unique prefix of
// one) and reads its state.
func (s Store) Load(ref string) (*Container, error) {
	id, err := s.resolve(ref)
	if err != nil {
		return nil, err
	}
	c := &Container{Store: s, State: State{ID: id}}
	if err := c.ReadState(); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNoContainer, ref)
		}
		return nil, fmt.Errorf("reading the state of %s: %w", ref, err)
	}
	return c, nil
}

// resolve turns a container's name, id or id prefix into its id.
func (s Store) resolve(ref string) (string, error) {
	return resolveID(filepath.Join(s.Root, "containers"), filepath.Join(s.Root, "names"), ref, ErrNoContainer, "containers")
}

// resolveID turns ref into an id: a name (a link in names), a full id or a
// unique prefix of the ids in dir. none is wrapped when nothing matches;
// kind names the things in dir for the error about an ambiguous prefix.
func resolveID(dir, names, ref string, none error, kind string) (string, error) {
	if !strings.Contains(ref, "/") {
		if target, err := os.Readlink(filepath.Join(names, ref)); err == nil {
			return target, nil
		}
	}
	if ValidID(ref) {
		// A full id is no other id's prefix: the caller's read of what
		// it names tells whether it exists, without a walk of dir.
		return ref, nil
	}
	if ref == "" || strings.ContainsAny(ref, "/*?[\\") {
		return "", fmt.Errorf("%w: %q", none, ref)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ref+"*"))
	matches = slices.DeleteFunc(matches, func(m string) bool { return !ValidID(filepath.Base(m)) })
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("%w: %s", none, ref)
	case 1:
		return filepath.Base(matches[0]), nil
	}
	return "", fmt.Errorf("%q matches %d %s: give more of the id", ref, len(matches), kind)
}

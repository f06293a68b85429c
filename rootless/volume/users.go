package volume

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
)

// ErrInUse is wrapped by the error for removing a volume that a
// container uses: rl exits 2 for it, as podman does.
var ErrInUse = errors.New("volume is being used")

// Users maps each volume's name to the ids of the containers whose
// mounts name it.
func (s Store) Users() (map[string][]string, error) {
	states, err := s.Store.List()
	if err != nil {
		return nil, err
	}
	used := map[string][]string{}
	for _, st := range states {
		r, err := (&store.Container{Store: s.Store, State: st}).Record()
		if err != nil || r.Spec == nil {
			continue
		}
		for _, m := range r.Spec.Mounts {
			if m.Volume != "" && !slices.Contains(used[m.Volume], st.ID) {
				used[m.Volume] = append(used[m.Volume], st.ID)
			}
		}
	}
	return used, nil
}

// RemoveUnusedLocked removes the volume name unless a container uses it
// (ErrInUse, exit code 2); the caller holds the store's lock.
func (s Store) RemoveUnusedLocked(name string) error {
	used, err := s.Users()
	if err != nil {
		return err
	}
	if ids := used[name]; len(ids) > 0 {
		short := make([]string, len(ids))
		for i, id := range ids {
			short[i] = id[:12]
		}
		return &launch.ExitError{Code: 2, Err: fmt.Errorf("removing volume %s: %w by container(s) %s (hint: remove them first, or use rl volume rm -f)",
			name, ErrInUse, strings.Join(short, ", "))}
	}
	return s.RemoveLocked(name)
}

// RemoveAnonymous removes the anonymous volumes that sp mounts and that
// no container uses any more, as podman does when it removes their
// container with rm -v or run --rm.
func (s Store) RemoveAnonymous(sp *spec.Spec) error {
	if sp == nil {
		return nil
	}
	unlock, err := s.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	var errs []error
	for _, m := range sp.Mounts {
		if m.Volume == "" {
			continue
		}
		if v, err := s.Load(m.Volume); err != nil || !v.Anonymous {
			continue
		}
		if err := s.RemoveUnusedLocked(m.Volume); err != nil && !errors.Is(err, ErrInUse) && !errors.Is(err, ErrNoVolume) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

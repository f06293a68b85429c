package backend

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"go.podman.io/storage"
	"golang.org/x/sys/unix"
)

// writeLockName is the file, in the graph root, that rl's writers (pull,
// load, import) hold an exclusive flock on while they add layers.
const writeLockName = "rl-write.lock"

// atomically runs add, which adds an image to the store, so that a failure
// leaves the store as it was. containers/storage removes a layer whose
// extraction fails, but not the layers below it that an interrupted pull
// had already committed: a pull refused at its third layer (an id beyond
// the mapping, a digest mismatch, a full disk) would leave two layers that
// no image names. atomically removes every layer that add created when add
// fails.
//
// Writers take turns on an exclusive lock, so that the layers new since
// the start are this writer's alone; it also turns two concurrent pulls of
// one image into a pull and a no-op.
func (s *Store) atomically(add func() error) (err error) {
	unlock, err := s.lockWriters()
	if err != nil {
		return err
	}
	defer unlock()
	before, err := s.layerIDs()
	if err != nil {
		return err
	}
	if err = add(); err == nil {
		return nil
	}
	if rbErr := s.removeLayersSince(before); rbErr != nil {
		return fmt.Errorf("%w (and removing its partial layers: %w)", err, rbErr)
	}
	return err
}

// lockWriters takes the store's writer lock and returns its release.
func (s *Store) lockWriters() (func(), error) {
	path := filepath.Join(s.store.GraphRoot(), writeLockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the store's lock %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("locking the store (%s): %w", path, err)
	}
	return func() { _ = f.Close() }, nil
}

// layerIDs is the set of the store's layers.
func (s *Store) layerIDs() (map[string]bool, error) {
	layers, err := s.store.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	ids := make(map[string]bool, len(layers))
	for _, l := range layers {
		ids[l.ID] = true
	}
	return ids, nil
}

// removeLayersSince deletes the layers that are not in before, children
// before their parents (storage refuses to delete a layer with children).
func (s *Store) removeLayersSince(before map[string]bool) error {
	layers, err := s.store.Layers()
	if err != nil {
		return fmt.Errorf("listing layers: %w", err)
	}
	var added []storage.Layer
	for _, l := range layers {
		if !before[l.ID] {
			added = append(added, l)
		}
	}
	for _, id := range childrenFirst(added) {
		if err := s.store.DeleteLayer(id); err != nil {
			return fmt.Errorf("removing layer %s: %w", id, err)
		}
	}
	return nil
}

// childrenFirst orders layers so that each comes before its parent.
func childrenFirst(layers []storage.Layer) []string {
	parent := make(map[string]string, len(layers))
	for _, l := range layers {
		parent[l.ID] = l.Parent
	}
	depth := func(id string) int {
		d := 0
		for p, ok := parent[id]; ok && p != ""; p, ok = parent[p] {
			d++
		}
		return d
	}
	ids := make([]string, 0, len(layers))
	for _, l := range layers {
		ids = append(ids, l.ID)
	}
	slices.SortStableFunc(ids, func(a, b string) int { return depth(b) - depth(a) })
	return ids
}

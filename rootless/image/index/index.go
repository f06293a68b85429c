// Package index is rl's index of resolved images, kept in the image
// store's graph root: rl-image writes it, the front end reads it to start
// a container from an image without running rl-image.
package index

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/rl-containers/rl/rootless/spec"
)

// File is the name, in the image store's graph root, of the
// index of resolved images: rl reads it to run an image without starting
// rl-image, whose libraries cost tens of milliseconds. rl-image adds an
// entry on each resolve and deletes the file whenever it changes the store.
const File = "rl-index.json"

// Index maps an image reference, as the user wrote it, to its
// resolution.
type Index map[string]spec.Image

// Read reads the index in graphRoot; a missing or unreadable one
// is empty.
func Read(graphRoot string) Index {
	var idx Index
	b, err := os.ReadFile(filepath.Join(graphRoot, File))
	if err != nil || json.Unmarshal(b, &idx) != nil || idx == nil {
		// Half of a corrupt index is no better than none.
		return Index{}
	}
	return idx
}

// Lookup returns ref's entry when every one of its layer directories still
// exists (the store may have changed since it was written).
func (idx Index) Lookup(ref string) (*spec.Image, bool) {
	img, ok := idx[ref]
	if !ok || len(img.Layers) == 0 {
		return nil, false
	}
	for _, l := range img.Layers {
		if _, err := os.Stat(l); err != nil {
			return nil, false
		}
	}
	return &img, true
}

// Write replaces the index in graphRoot atomically.
func (idx Index) Write(graphRoot string) error {
	b, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(graphRoot, File+".*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(graphRoot, File))
}

// Remove drops the index in graphRoot, after a change to the
// store.
func Remove(graphRoot string) error {
	err := os.Remove(filepath.Join(graphRoot, File))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

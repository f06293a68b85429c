package spec

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
)

// ImageIndexFile is the name, in the image store's graph root, of the
// index of resolved images: rl reads it to run an image without starting
// rl-image, whose libraries cost tens of milliseconds. rl-image adds an
// entry on each resolve and deletes the file whenever it changes the store.
const ImageIndexFile = "rl-index.json"

// ImageIndex maps an image reference, as the user wrote it, to its
// resolution.
type ImageIndex map[string]Image

// ReadImageIndex reads the index in graphRoot; a missing or unreadable one
// is empty.
func ReadImageIndex(graphRoot string) ImageIndex {
	idx := ImageIndex{}
	b, err := os.ReadFile(filepath.Join(graphRoot, ImageIndexFile))
	if err == nil {
		_ = json.Unmarshal(b, &idx)
	}
	return idx
}

// Lookup returns ref's entry when every one of its layer directories still
// exists (the store may have changed since it was written).
func (idx ImageIndex) Lookup(ref string) (*Image, bool) {
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
func (idx ImageIndex) Write(graphRoot string) error {
	b, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(graphRoot, ImageIndexFile+".*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(graphRoot, ImageIndexFile))
}

// RemoveImageIndex drops the index in graphRoot, after a change to the
// store.
func RemoveImageIndex(graphRoot string) error {
	err := os.Remove(filepath.Join(graphRoot, ImageIndexFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

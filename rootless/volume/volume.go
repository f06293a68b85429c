// Package volume keeps rl's named volumes in the store, for the front end
// (never rl-init): each volume's record (volume.json) and its data
// directory (_data), as podman lays them out under ROOT/volumes/NAME.
// Creations and removals run under the store's lock, the one that orders
// container creations, so that a volume cannot vanish while a container
// that uses it is being made.
package volume

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/store"
)

// ErrNoVolume is returned for a name that names no volume.
var ErrNoVolume = errors.New("no such volume")

// ErrExists is returned when creating a volume whose name is taken.
var ErrExists = errors.New("volume already exists")

// Volume is one volume's record, with podman's field names (rl volume
// inspect prints it as it is).
type Volume struct {
	Name       string            `json:"Name"`
	Driver     string            `json:"Driver"`
	Mountpoint string            `json:"Mountpoint"`
	CreatedAt  time.Time         `json:"CreatedAt"`
	Labels     map[string]string `json:"Labels"`
	Scope      string            `json:"Scope"`
	Options    map[string]string `json:"Options"`
	// Anonymous marks a volume made for `-v /path`, which rm -v removes
	// with its container.
	Anonymous bool `json:"Anonymous,omitempty"`
	// NeedsCopyUp is true until the volume has content: a mount of it
	// till then fills it with the image's content at the mount's
	// destination. NeedsChown is podman's twin of it: till then a mount
	// gives the volume's root to the container's user, where the image
	// has nothing to copy.
	NeedsCopyUp bool `json:"NeedsCopyUp"`
	NeedsChown  bool `json:"NeedsChown"`

	// settled is set by Load when the volume has content and its record
	// still says NeedsCopyUp: Settle writes that down.
	settled bool
}

// Options are what `rl volume create` (or a first use) sets.
type Options struct {
	Name      string
	Labels    map[string]string
	Options   map[string]string
	Anonymous bool
}

// Store is the volumes of one container store.
type Store struct{ store.Store }

// New returns the volumes of s.
func New(s store.Store) Store { return Store{s} }

func (s Store) dir() string                  { return filepath.Join(s.Root, "volumes") }
func (s Store) volumeDir(name string) string { return filepath.Join(s.dir(), name) }

// ValidName reports whether name may name a volume: podman's rule, the
// containers' one.
func ValidName(name string) bool { return name != "" && config.ValidName(name) }

// CheckName fails with one line for a name podman refuses.
func CheckName(name string) error {
	if !ValidName(name) {
		return fmt.Errorf("invalid volume name %q: %s", name, config.NameRule)
	}
	return nil
}

// Create makes a volume, under the store's lock.
func (s Store) Create(o Options) (*Volume, error) {
	unlock, err := s.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return s.CreateLocked(o)
}

// CreateLocked is Create for a caller that holds the store's lock. A
// volume without a name gets podman's: 64 random hex digits.
func (s Store) CreateLocked(o Options) (*Volume, error) {
	if o.Name == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("generating a volume name: %w", err)
		}
		o.Name = hex.EncodeToString(b)
	}
	if err := CheckName(o.Name); err != nil {
		return nil, err
	}
	if store.Exists(filepath.Join(s.volumeDir(o.Name), "volume.json")) {
		return nil, fmt.Errorf("creating volume %s: %w", o.Name, ErrExists)
	}
	v := &Volume{
		Name: o.Name, Driver: "local", Mountpoint: filepath.Join(s.volumeDir(o.Name), "_data"),
		CreatedAt: time.Now(), Labels: nonNil(o.Labels), Scope: "local", Options: nonNil(o.Options),
		Anonymous: o.Anonymous, NeedsCopyUp: true, NeedsChown: true,
	}
	if err := os.MkdirAll(v.Mountpoint, 0o755); err != nil {
		return nil, fmt.Errorf("creating volume %s: %w", o.Name, err)
	}
	if err := s.save(v); err != nil {
		_ = os.RemoveAll(s.volumeDir(o.Name))
		return nil, err
	}
	return v, nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func (s Store) save(v *Volume) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return store.WriteAtomic(filepath.Join(s.volumeDir(v.Name), "volume.json"), b)
}

// Load reads the volume name.
func (s Store) Load(name string) (*Volume, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("%w: %s", ErrNoVolume, name)
	}
	b, err := os.ReadFile(filepath.Join(s.volumeDir(name), "volume.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoVolume, name)
	}
	if err != nil {
		return nil, fmt.Errorf("reading volume %s: %w", name, err)
	}
	v := &Volume{}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("reading volume %s: %w", name, err)
	}
	if v.NeedsCopyUp {
		if entries, err := os.ReadDir(v.Mountpoint); err == nil && len(entries) > 0 {
			v.NeedsCopyUp, v.NeedsChown, v.settled = false, false, true
		}
	}
	return v, nil
}

// List returns every volume, oldest first.
func (s Store) List() ([]*Volume, error) {
	dirs, err := os.ReadDir(s.dir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("listing volumes: %w", err)
	}
	var out []*Volume
	for _, d := range dirs {
		if v, err := s.Load(d.Name()); err == nil {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b *Volume) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// RemoveLocked deletes the volume and its data; the caller holds the
// store's lock and has checked that no container uses it. The record
// goes first, so a removal cut short leaves no half volume listed.
func (s Store) RemoveLocked(name string) error {
	if err := os.Remove(filepath.Join(s.volumeDir(name), "volume.json")); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: %s", ErrNoVolume, name)
		}
		return fmt.Errorf("removing volume %s: %w", name, err)
	}
	// Files that a container made belong to subordinate ids, which only
	// a user namespace may remove (launch.RemoveAll).
	if err := os.RemoveAll(s.volumeDir(name)); err != nil {
		if err := launch.RemoveAll(s.volumeDir(name)); err != nil {
			return fmt.Errorf("removing volume %s: %w", name, err)
		}
	}
	return nil
}

// Settle writes down what Load found: the volume has content, so later
// mounts leave it alone even once it is emptied. The caller holds the
// store's lock.
func (s Store) Settle(v *Volume) error {
	if !v.settled {
		return nil
	}
	v.settled = false
	return s.save(v)
}

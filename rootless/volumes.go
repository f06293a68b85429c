package rootless

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/rootless/volume"
)

// Volumes is the store's volumes.
func (e *Engine) Volumes() volume.Store { return volume.New(e.Store) }

// VolumeCreate makes a volume; with ignore, one that exists already is
// returned as it is.
func (e *Engine) VolumeCreate(ctx context.Context, o volume.Options, ignore bool) (*volume.Volume, error) {
	v, err := e.Volumes().Create(o)
	if ignore && errors.Is(err, volume.ErrExists) {
		return e.Volumes().Load(o.Name)
	}
	return v, err
}

// volumesAndUsers returns every volume, oldest first, and the ids of the
// containers that use each (by the volume's name).
func (e *Engine) volumesAndUsers() ([]*volume.Volume, map[string][]string, error) {
	vols, err := e.Volumes().List()
	if err != nil {
		return nil, nil, err
	}
	used, err := e.Volumes().Users()
	return vols, used, err
}

// VolumeList returns the volumes that f selects, oldest first.
func (e *Engine) VolumeList(ctx context.Context, f volume.Filter) ([]*volume.Volume, error) {
	vols, used, err := e.volumesAndUsers()
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(vols, func(v *volume.Volume) bool { return !f.Match(v, len(used[v.Name]) > 0) }), nil
}

// VolumeRemove removes the volume name. One that a container uses is
// refused (ErrVolumeInUse), unless force, which removes those containers
// first, as podman does.
func (e *Engine) VolumeRemove(ctx context.Context, name string, force bool) error {
	if _, err := e.Volumes().Load(name); err != nil {
		return err
	}
	if force {
		used, err := e.Volumes().Users()
		if err != nil {
			return err
		}
		for _, id := range used[name] {
			if err := e.Remove(ctx, id, true); err != nil && !errors.Is(err, store.ErrNoContainer) {
				return fmt.Errorf("removing volume %s: %w", name, err)
			}
		}
	}
	unlock, err := e.Store.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	return e.Volumes().RemoveUnusedLocked(name)
}

// VolumePrune removes every volume that f selects and no container uses
// and returns their names.
func (e *Engine) VolumePrune(ctx context.Context, f volume.Filter) ([]string, error) {
	unlock, err := e.Store.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	vols, used, err := e.volumesAndUsers()
	if err != nil {
		return nil, err
	}
	var names []string
	var errs []error
	for _, v := range vols {
		if len(used[v.Name]) > 0 || !f.Match(v, false) {
			continue
		}
		if err := e.Volumes().RemoveLocked(v.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		names = append(names, v.Name)
	}
	return names, errors.Join(errs...)
}

// RemoveWithVolumes is RemoveGrace, then the removal of the container's
// anonymous volumes that no other container uses (rm -v).
func (e *Engine) RemoveWithVolumes(ctx context.Context, ref string, force bool, grace time.Duration) error {
	c, err := e.Store.Load(ref)
	if err != nil {
		return err
	}
	r, err := c.Record()
	if err != nil {
		return e.RemoveGrace(ctx, c.State.ID, force, grace)
	}
	if err := e.RemoveGrace(ctx, c.State.ID, force, grace); err != nil {
		return err
	}
	return e.Volumes().RemoveAnonymous(r.Spec)
}

// attachVolumes resolves the spec's volume mounts, under the store's lock
// (which create holds): each named volume is made on its first use (an
// anonymous one gets a generated name) and becomes a bind of its data
// directory, filled from the image on its first mount; then the volumes
// and binds of the --volumes-from containers are added, where the spec
// has no mount of its own.
func (e *Engine) attachVolumes(sp *spec.Spec, opts config.Container) error {
	for i := range sp.Mounts {
		m := &sp.Mounts[i]
		if m.Kind != spec.Volume {
			continue
		}
		v, err := e.Volumes().Load(m.Source)
		if m.Source == "" || errors.Is(err, volume.ErrNoVolume) {
			v, err = e.Volumes().CreateLocked(volume.Options{Name: m.Source, Anonymous: m.Source == ""})
		}
		if err != nil {
			return err
		}
		_, noCopy := v.Options["nocopy"]
		m.Kind, m.Volume, m.Source = spec.Bind, v.Name, v.Mountpoint
		m.CopyUp = m.CopyUp && v.NeedsCopyUp && !noCopy
		if err := e.Volumes().Settle(v); err != nil {
			return err
		}
		switch v.Options["type"] {
		case "bind": // the volume is a host directory
			m.Source, m.CopyUp = v.Options["device"], false
			m.ReadOnly = m.ReadOnly || slices.Contains(strings.Split(v.Options["o"], ","), "ro")
		case "tmpfs": // a new tmpfs at each mount
			m.Kind, m.Source, m.CopyUp, m.Chown = spec.Tmpfs, "", false, false
			m.Data, m.Flags = v.Options["o"], m.Flags|unix.MS_NOSUID|unix.MS_NODEV
		}
	}
	for _, from := range opts.VolumesFrom {
		ref, mode, _ := strings.Cut(from, ":")
		c, err := e.Store.Load(ref)
		if err != nil {
			return fmt.Errorf("--volumes-from %s: %w", from, err)
		}
		r, err := c.Record()
		if err != nil {
			return fmt.Errorf("--volumes-from %s: %w", from, err)
		}
		for _, m := range r.Spec.Mounts {
			if m.Kind != spec.Bind || slices.ContainsFunc(sp.Mounts, func(o spec.Mount) bool { return o.Destination == m.Destination }) {
				continue
			}
			m.CopyUp, m.Chown = false, false
			if mode != "" {
				m.ReadOnly = mode == "ro"
			}
			sp.Mounts = append(sp.Mounts, m)
		}
	}
	return nil
}

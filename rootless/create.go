package rootless

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/rootless/user"
	"github.com/rl-containers/rl/userns"
)

// create checks opts, resolves the image and the user, and makes the
// container in the store with its record and a created state, with id
// ("" for a new one); it returns the maps it computed too.
func (e *Engine) create(ctx context.Context, opts config.Container, id string) (*store.Container, *config.Record, userns.Mappings, error) {
	go warmEncoders()
	if err := opts.Validate(); err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	var netOwner *store.Container
	if opts.Net.Mode.Name == network.Container {
		// Recorded by its id, as podman's inspect shows it; it must exist
		// now, and run when this one starts.
		var err error
		if netOwner, err = e.Store.Load(opts.Net.Mode.Container); err != nil {
			return nil, nil, userns.Mappings{}, fmt.Errorf("looking up the container whose network to join: %w", err)
		}
		opts.Net.Mode.Container = netOwner.State.ID
	}
	if err := e.resolveNetworks(&opts.Net.Mode); err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	pod, dropPod, err := e.podFor(ctx, &opts)
	if err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	created := false // lifecycle (H5): a pod made for --pod new: goes with a failure
	defer func() {
		if !created {
			dropPod()
		}
	}()
	img, err := e.rootfs(ctx, opts)
	if err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	args := opts.Args(img.Config)
	if len(args) == 0 || args[0] == "" {
		if opts.Rootfs != "" {
			// A directory has no configuration to take one from.
			return nil, nil, userns.Mappings{}, errors.New("no command given: add COMMAND after --rootfs DIR")
		}
		return nil, nil, userns.Mappings{}, errors.New("no command given: the image has none either; add COMMAND after the image")
	}
	maps, warning, err := userns.ForCaller(opts.Userns, opts.IDMaps)
	if err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	if opts.Userns == userns.ModeAuto && opts.IDMaps == nil {
		unlock, err := e.autoMaps(&opts, img, &maps)
		if err != nil {
			return nil, nil, userns.Mappings{}, err
		}
		defer unlock()
	}
	if warning != "" && pod.ID == "" {
		slog.Warn(warning)
	}
	userSpec := opts.User
	if userSpec == "" {
		userSpec = img.Config.User
	}
	if userSpec == "" && opts.Userns == userns.ModeKeepID {
		// keep-id runs as the caller by default, as podman does.
		userSpec = fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid())
	}
	u, home, err := user.Resolve(img.Layers, userSpec)
	if err != nil {
		return nil, nil, userns.Mappings{}, user.FromImage(err, opts.User == "" && img.Config.User != "")
	}
	inner := maps.Container()
	u.AdditionalGIDs = mappedGroups(u.AdditionalGIDs, inner, maps.Single)
	added, err := user.GroupIDs(img.Layers, opts.Process.GroupAdd)
	if err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	user.AddGroups(&u, added)
	tz, err := timezoneMount(opts.Process.Timezone)
	if err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	opts.Process.OOMScoreAdj = clampOOMScoreAdj(opts.Process.OOMScoreAdj, OwnOOMScoreAdj)
	opts.Labels = config.MergeLabels(img.Config.Labels, opts.Labels)
	if err := checkMapped(u, inner); err != nil {
		return nil, nil, userns.Mappings{}, fmt.Errorf("user %q: %w; use a smaller id or give yourself more subordinate ids in /etc/subuid and /etc/subgid", userSpec, err)
	}
	if _, err := launch.InitPath(); err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	// One capability set for rl-init's spec and for the seccomp filter,
	// whose capability-gated rules follow it.
	caps := capabilitySet(opts.Security, config.AllCapabilities())
	filter, err := e.seccompFilter(opts.Security, caps.Bounding)
	if err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	if opts.Lifecycle.Replace {
		if err := e.replace(opts.Name); err != nil {
			return nil, nil, maps, err
		}
	}
	c, unlock, err := e.Store.Create(opts.Name, id)
	if err != nil {
		return nil, nil, maps, err
	}
	defer unlock()
	c.State.Rootfs, c.State.Image, c.State.ImageName, c.State.ImageID, c.State.Command = opts.Rootfs, opts.Image, img.Name, img.ID, args
	c.State.Pod, c.State.PodID = pod.Name, pod.ID
	r := &config.Record{Options: opts, Image: img, Spec: containerSpec(c, opts, img, args, u, home, maps, caps)}
	r.Spec.Seccomp = filter
	r.Spec.Mounts = append(r.Spec.Mounts, tz...)
	if err := e.attachVolumes(r.Spec, opts); err != nil {
		_ = c.Remove()
		return nil, nil, maps, err
	}
	var saveErr error
	if netOwner != nil {
		saveErr = addDependent(netOwner, c.State.ID)
	}
	if saveErr == nil {
		saveErr = c.SaveRecord(r)
	}
	if saveErr != nil {
		_ = c.Remove()
		return nil, nil, maps, saveErr
	}
	store.Crashpoint("created")
	created = true
	return c, r, maps, nil
}

// rootfs returns the layers (top-most first) and image configuration of
// the container's root: the root filesystem directory alone with an empty
// configuration, or the image's, pulled as the pull policy says.
func (e *Engine) rootfs(ctx context.Context, o config.Container) (*spec.Image, error) {
	if o.Rootfs == "" {
		return e.Images().Resolve(ctx, o.Image, o.Pull, o.Registry)
	}
	dir, err := checkRootfs(o.Rootfs)
	if err != nil {
		return nil, err
	}
	return &spec.Image{Layers: []string{dir}}, nil
}

func checkRootfs(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("root filesystem: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("root filesystem %s is not a directory", abs)
	}
	return abs, nil
}

// mappedGroups keeps the supplementary groups the namespace can hold. They
// come from the image's /etc/group, not from the user, so the others are
// dropped rather than failing the run (Alpine puts root in bin, daemon,
// sys..., which a one-id map lacks). With a one-id map setgroups(2) is
// denied, so none is kept.
func mappedGroups(gids []uint32, l userns.Level, single bool) []uint32 {
	return slices.DeleteFunc(slices.Clone(gids), func(g uint32) bool {
		if !single && userns.Contains(l.GIDs, g) {
			return false
		}
		slog.Debug("dropping a supplementary group that is not mapped", "gid", g)
		return true
	})
}

// checkMapped fails when an id of u is outside the container's maps.
func checkMapped(u spec.User, l userns.Level) error {
	if !userns.Contains(l.UIDs, u.UID) {
		return fmt.Errorf("uid %d is outside the container's uids (%s)", u.UID, userns.Describe(l.UIDs))
	}
	for _, g := range append([]uint32{u.GID}, u.AdditionalGIDs...) {
		if !userns.Contains(l.GIDs, g) {
			return fmt.Errorf("gid %d is outside the container's gids (%s)", g, userns.Describe(l.GIDs))
		}
	}
	return nil
}

// warmEncoders builds encoding/json's encoders of a container's record and
// state (config.WarmCodec) while create runs.
func warmEncoders() {
	config.WarmCodec()
	_, _ = json.Marshal(&store.State{})
}

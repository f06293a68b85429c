package rootless

import (
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/userns"
)

// containerSpec builds the container spec that rl-init carries out, with
// the capabilities caps (capabilitySet of opts.Security).
func containerSpec(c *store.Container, opts config.Container, img *spec.Image, args []string, user spec.User, home string, maps userns.Mappings, caps Capabilities) *spec.Spec {
	hostname := opts.Hostname
	if hostname == "" {
		hostname = c.State.ID[:12]
	}
	env := []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOSTNAME=" + hostname, "HOME=" + home, "container=rl",
	}
	if opts.TTY {
		env = append(env, "TERM=xterm")
	}
	env = config.MergeEnv(config.MergeEnv(env, opts.DefaultEnv), img.Config.Env)
	cwd := opts.Workdir
	if cwd == "" {
		cwd = img.Config.WorkingDir
	}
	if cwd == "" {
		cwd = "/"
	}
	fuse, fuseOnly := c.Store.FuseOverlay(maps.Privileged)
	mounts := append([]spec.Mount(nil), opts.Mounts...)
	if opts.ReadOnly && opts.ReadOnlyTmpfs {
		for _, d := range []string{"/tmp", "/var/tmp", "/run"} {
			// A mount the user asked for at d wins, as in podman.
			if !slices.ContainsFunc(opts.Mounts, func(m spec.Mount) bool { return m.Destination == d }) {
				mounts = append(mounts, spec.Mount{Kind: spec.Tmpfs, Destination: d, Flags: unix.MS_NOSUID | unix.MS_NODEV})
			}
		}
	}
	masked, readonly := pathRules(opts.Security, filepath.Glob)
	ttyGroup := -1
	if userns.Contains(maps.Container().GIDs, 5) {
		ttyGroup = 5
	}
	return &spec.Spec{
		ID:          c.State.ID,
		Hostname:    hostname,
		Args:        args,
		Env:         config.MergeEnv(env, opts.Env),
		Cwd:         cwd,
		User:        user,
		Terminal:    opts.TTY,
		Init:        opts.Init,
		Network:     networkOf(opts),
		Rootfs:      rootfsSpec(c, opts, img, maps, fuse, fuseOnly),
		Mounts:      mounts,
		ReadOnly:    opts.ReadOnly,
		PreserveFDs: opts.PreserveFDs,
		Nested:      maps.Inner,
		NoSetgroups: maps.Single,
		TTYGroup:    ttyGroup,

		Capabilities:     caps.Bounding,
		UserCapabilities: caps.User,
		NoNewPrivileges:  opts.Security.NoNewPrivileges,
		MaskedPaths:      masked,
		ReadonlyPaths:    readonly,
		HostDevices:      opts.Security.Privileged,
		Process:          processSpec(c, opts),
	}
}

// rootfsSpec is the container's overlay. In a nested user namespace the
// image's layers are used through copies remapped for its maps, which
// live beside containers/storage's layers, one directory per map: the
// image's root-owned files are root's in the container, as podman's are
// (containers/storage makes such copies for it). A --rootfs directory is
// used as it is.
func rootfsSpec(c *store.Container, opts config.Container, img *spec.Image, maps userns.Mappings, fuse string, fuseOnly bool) spec.Rootfs {
	r := spec.Rootfs{
		Lower: img.Layers, Upper: c.Upper(), Work: c.Work(), Mountpoint: c.Mountpoint(),
		UserXattr: !maps.Privileged, FuseOverlay: fuse, FuseOnly: fuseOnly,
	}
	if opts.Rootfs != "" || len(img.Layers) == 0 {
		return r
	}
	if fi, err := os.Stat(img.Layers[0]); err == nil {
		r.RootMode = uint32(fi.Mode().Perm())
	}
	if maps.Inner == nil {
		return r
	}
	key := maps.Inner.Key()
	r.Source, r.Lower = img.Layers, make([]string, len(img.Layers))
	for i, l := range img.Layers {
		// containers/storage's GRAPHROOT/overlay/LAYER/diff.
		layer := filepath.Dir(l)
		r.Lower[i] = filepath.Join(filepath.Dir(filepath.Dir(layer)), RemappedLayersDir, key, filepath.Base(layer))
	}
	return r
}

// RemappedLayersDir, in the store's graph root, holds the image layers
// remapped for nested user namespaces (rootfsSpec).
const RemappedLayersDir = "rl-remapped"

// networkOf is the spec's network: the --network mode, the pod's or
// another container's.
func networkOf(opts config.Container) string {
	switch {
	case opts.Pod != "" && opts.Net.Mode.Name != network.Host:
		return spec.PodNetwork
	case opts.Net.Mode.Name == network.Container:
		return spec.ContainerNetwork
	}
	return opts.Net.Mode.Name
}

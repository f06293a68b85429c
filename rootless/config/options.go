package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// Container is what `rl run` was asked to do, its flags parsed and
// checked by the front end.
type Container struct {
	// Rootfs is a root filesystem directory; without it, Image names the
	// image to run.
	Rootfs string
	Image  string
	// Pull is the pull policy for Image: missing, always or never.
	Pull     string
	Registry image.Options
	// Entrypoint replaces the image's when EntrypointSet (docker's
	// --entrypoint, where "" clears it).
	Entrypoint    []string
	EntrypointSet bool
	Command       []string
	Name          string
	Hostname      string
	Env           []string
	// DefaultEnv is containers.conf's env: the image's overrides it, and
	// Env overrides both (podman's order).
	DefaultEnv    []string
	Workdir       string
	User          string
	Mounts        []spec.Mount
	VolumesFrom   []string // CONTAINER[:ro|rw], whose volumes and binds it mounts too
	ReadOnly      bool
	ReadOnlyTmpfs bool
	Remove        bool
	Interactive   bool
	TTY           bool
	Init          bool
	Userns        userns.Mode
	// IDMaps is --uidmap/--gidmap: the container's own user namespace
	// maps, relative to the caller's (nil: Userns decides).
	IDMaps *userns.Level `json:",omitempty"`
	// UsernsSize is --userns auto:size=N (0: the image's ids decide).
	UsernsSize  uint32 `json:",omitempty"`
	Net         Net
	Resources   cgroupsd.Resources
	Cgroups     cgroupsd.Options
	PreserveFDs int
	// Process shapes the command's process: limits, umask, groups, OOM
	// score, time zone.
	Process Process
	Restart Restart
	Health  Health
	// Security is the container's confinement: capabilities, seccomp,
	// no_new_privs, masked paths.
	Security Security
	// Pod is the pod to run in: a name or id, the pod's id once created.
	// A pod's container publishes no ports, and has no host name and no
	// keep-id namespace of its own: it takes the pod's network, host name
	// and user namespace.
	Pod       string
	Labels    map[string]string `json:"labels,omitempty"`
	Log       Log
	Lifecycle Lifecycle
}

// Args is the container's command line, docker's way: the entrypoint
// (--entrypoint, else the image's), then the command (the one given, else
// the image's Cmd unless --entrypoint replaced the entrypoint).
func (o Container) Args(img spec.ImageConfig) []string {
	entrypoint, cmd := img.Entrypoint, img.Cmd
	if o.EntrypointSet {
		entrypoint, cmd = o.Entrypoint, nil
	}
	if len(o.Command) > 0 {
		cmd = o.Command
	}
	return append(slices.Clone(entrypoint), cmd...)
}

// Validate checks what the engine relies on and what needs the machine:
// an image or a root filesystem to run, a name that may become a file
// name in the store, and the network's host ports. The front end has
// checked the rest of the options as it parsed them.
func (o Container) Validate() error {
	if o.Rootfs == "" && o.Image == "" {
		return errors.New("no image or root filesystem given")
	}
	if !ValidName(o.Name) {
		return fmt.Errorf("invalid container name %q: %s", o.Name, NameRule)
	}
	return o.Net.Validate()
}

// MergeEnv returns base with each KEY=VALUE of over replacing or adding to
// it, order kept.
func MergeEnv(base, over []string) []string {
	out := append([]string(nil), base...)
	index := map[string]int{}
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range over {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}

// Package spec defines the container specification that the rl front end
// builds from its flags and sends, as one JSON document, to rl-init, which
// carries it out inside the container's namespaces. Both processes link it,
// so it holds plain data and nothing heavy.
package spec

import (
	"time"

	"github.com/rl-containers/rl/rootless/failure"
	"github.com/rl-containers/rl/userns"
)

// Spec is everything rl-init needs to set up and start one container.
type Spec struct {
	ID       string   `json:"id"`
	Hostname string   `json:"hostname"`
	Args     []string `json:"args"`
	Env      []string `json:"env"`
	Cwd      string   `json:"cwd"`
	User     User     `json:"user"`
	// Terminal asks rl-init to allocate a pty inside the container and send
	// its master to the front end.
	Terminal bool `json:"terminal,omitempty"`
	// Init runs a reaping init as PID 1 with the command as its child.
	Init bool `json:"init,omitempty"`
	// Network is the --network mode: "host", or one with a net namespace
	// of its own ("none", "slirp4netns", "pasta") where rl-init brings up
	// loopback, or PodNetwork, or ContainerNetwork.
	Network string `json:"network"`
	// AwaitCgroup has rl-init build the root filesystem first and wait
	// for the Placed message before it makes its cgroup namespace (and
	// mounts cgroup2): the front end puts it in the cgroup meanwhile.
	AwaitCgroup bool `json:"await_cgroup,omitempty"`
	// AwaitNetwork has rl-init wait, once the container is set up, for
	// the Networked message before it executes the command: the front
	// end attaches the container to its user-defined networks meanwhile.
	AwaitNetwork bool `json:"await_network,omitempty"`
	// Infra makes rl-init a pod's infra process: it configures the
	// network, sets the host name and then only holds the namespaces
	// until it is told to stop; no root filesystem, no command.
	Infra bool `json:"infra,omitempty"`
	// Interface is the user-mode network's device for rl-init to
	// configure, when the backend does not configure it itself.
	Interface *Interface `json:"interface,omitempty"`
	Rootfs    Rootfs     `json:"rootfs"`
	Mounts    []Mount    `json:"mounts,omitempty"`
	ReadOnly  bool       `json:"read_only,omitempty"`
	// PreserveFDs is how many fds from 3 up are passed on to the command.
	PreserveFDs int `json:"preserve_fds,omitempty"`
	// Nested, when set, is the map of a second user namespace that rl-init
	// creates inside the first before it sets up the container (keep-id).
	Nested *userns.Level `json:"nested,omitempty"`
	// NoSetgroups is true when setgroups(2) is denied in the namespace.
	NoSetgroups bool `json:"no_setgroups,omitempty"`
	// Capabilities are the command's capabilities by number: its bounding
	// set, and root's set after the exec. An empty list is none; nil
	// (a record written before rl sent the set) is podman's defaults.
	Capabilities []uint `json:"capabilities"`
	// UserCapabilities are what a non-root command keeps, as ambient
	// capabilities (podman: --cap-add's); root ignores them.
	UserCapabilities []uint `json:"user_capabilities,omitempty"`
	// NoNewPrivileges sets no_new_privs before the exec.
	NoNewPrivileges bool `json:"no_new_privileges,omitempty"`
	// Seccomp is the compiled seccomp filter (an array of struct
	// sock_filter) that rl-init loads as its last step before the exec;
	// empty for none.
	Seccomp []byte `json:"seccomp,omitempty"`
	// MaskedPaths are hidden (a file under /dev/null, a directory under an
	// empty read-only tmpfs); ReadonlyPaths stay visible, read-only. An
	// empty list is none; nil (a record written before rl sent them) is
	// the paths rl-init masked then.
	MaskedPaths   []string `json:"masked_paths"`
	ReadonlyPaths []string `json:"readonly_paths"`
	// HostDevices binds the host's device nodes that the user can open
	// into /dev (--privileged).
	HostDevices bool `json:"host_devices,omitempty"`
	// TTYGroup is the gid of the group owning pty slaves (Debian: tty, 5),
	// or -1 where that gid is not mapped.
	TTYGroup int `json:"tty_group"`
	Process
}

// Process shapes the command's process beyond its identity: its resource
// limits, umask, groups and OOM score, and whether its working directory
// must exist already.
type Process struct {
	// Rlimits are set with setrlimit(2) before the exec, in order.
	Rlimits []Rlimit `json:"rlimits,omitempty"`
	// Umask is the command's file mode creation mask; nil keeps rl's.
	Umask *uint32 `json:"umask,omitempty"`
	// OOMScoreAdj is written to /proc/self/oom_score_adj; nil keeps rl's.
	OOMScoreAdj *int `json:"oom_score_adj,omitempty"`
	// KeepGroups skips setgroups(2): the command keeps the caller's
	// supplementary groups (--group-add keep-groups).
	KeepGroups bool `json:"keep_groups,omitempty"`
	// CwdMustExist fails the start with 126 when Cwd is missing once the
	// mounts are made (a --workdir given, as podman), instead of creating
	// it (the image's WorkingDir).
	CwdMustExist bool `json:"cwd_must_exist,omitempty"`
	// HostCgroupNS keeps the caller's cgroup namespace (--cgroupns host).
	HostCgroupNS bool `json:"host_cgroupns,omitempty"`
	// ContainerEnv is the content of /run/.containerenv (empty but for
	// --privileged, as podman's).
	ContainerEnv string `json:"container_env,omitempty"`
}

// Rlimit is one resource limit. Soft and Hard are setrlimit(2) values
// where RLIM_INFINITY (-1 as given) stands for the caller's hard limit,
// which an unprivileged process cannot raise; with Clamp, a larger value
// is lowered to it too (podman's defaults for nofile and nproc).
type Rlimit struct {
	// Type is the limit's name, RLIMIT_NOFILE style, and Resource its
	// number.
	Type     string `json:"type"`
	Resource int    `json:"resource"`
	Soft     uint64 `json:"soft"`
	Hard     uint64 `json:"hard"`
	Clamp    bool   `json:"clamp,omitempty"`
}

// User is the identity the command runs as, as ids inside the container.
type User struct {
	UID            uint32   `json:"uid"`
	GID            uint32   `json:"gid"`
	AdditionalGIDs []uint32 `json:"additional_gids,omitempty"`
}

// Rootfs is the container's root: an overlay of Lower (top-most first) with
// the container's own Upper and Work, mounted on Mountpoint.
type Rootfs struct {
	Lower []string `json:"lower"`
	// Source, when set, is the image's own layers, of which Lower are
	// copies for the nested user namespace (Spec.Nested): the same files,
	// owned by the ids that the container's maps show as the image's. The
	// outer rl-init makes a copy that is not there yet (child/remap.go).
	Source []string `json:"source,omitempty"`
	// RootMode, when not 0, is the mode of the image's /, which rl-init
	// gives the upper dir before it mounts the overlay: overlayfs shows
	// the upper dir's mode as the container's / (an image may have it at
	// 0555, as the filesystem RPM does), as containers/storage gives it.
	RootMode uint32 `json:"root_mode,omitempty"`
	// Written are the paths in Upper, relative to it, that the front end
	// wrote for this start (keep-id's /etc/passwd entry); in a nested
	// user namespace the outer rl-init gives them to container root, as
	// the image's files there are.
	Written    []string `json:"written,omitempty"`
	Upper      string   `json:"upper"`
	Work       string   `json:"work"`
	Mountpoint string   `json:"mountpoint"`
	// UserXattr mounts the overlay with userxattr, as a mount inside a
	// user namespace must; real root uses the trusted.* xattrs.
	UserXattr bool `json:"userxattr,omitempty"`
	// FuseOverlay is the fuse-overlayfs program to mount the overlay with
	// when the kernel refuses (or always, with FuseOnly); "" for none.
	FuseOverlay string `json:"fuse_overlay,omitempty"`
	FuseOnly    bool   `json:"fuse_only,omitempty"`
}

// PodNetwork is Spec.Network for a container of a pod: the network is the
// pod's, configured by its infra process.
const PodNetwork = "pod"

// ContainerNetwork is Spec.Network for a container that joins another
// one's network (--network container:), which that container's rl-init
// configured.
const ContainerNetwork = "container"

// Mount kinds.
const (
	Bind  = "bind"
	Tmpfs = "tmpfs"
	// Volume is a named volume (Source its name; "" for an anonymous
	// one) as the front end parses it; the engine turns it into a Bind
	// of the volume's directory, keeping the name in Mount.Volume.
	Volume = "volume"
)

// Mount is a -v bind mount or a --tmpfs mount. Destination is a path inside
// the container.
type Mount struct {
	Kind        string `json:"kind"`
	Source      string `json:"source,omitempty"`
	Destination string `json:"destination"`
	ReadOnly    bool   `json:"read_only,omitempty"`
	// Data is the tmpfs mount data (size=, mode=).
	Data string `json:"data,omitempty"`
	// Flags are extra mount(2) flags (MS_NOEXEC and the like).
	Flags uintptr `json:"flags,omitempty"`
	// Volume names the volume a Bind mounts, "" for a host path.
	Volume string `json:"volume,omitempty"`
	// CopyUp has rl-init fill an empty volume with the image's content
	// at Destination before it mounts it (docker's copy-up).
	CopyUp bool `json:"copy_up,omitempty"`
	// Chown has rl-init give Source's content to the container's user
	// first (-v ...:U).
	Chown bool `json:"chown,omitempty"`
	// Generated marks a file rl wrote for this container alone (its
	// /etc/hostname, /etc/hosts, /etc/resolv.conf): in a nested user
	// namespace the outer rl-init gives it to container root, whose it is
	// in podman's containers too.
	Generated bool `json:"generated,omitempty"`
}

// Image is an image resolved for `rl run`: its layer directories and the
// part of its configuration that rl run uses. rl-image produces it (as
// JSON) and the front end reads it.
type Image struct {
	ID string `json:"id"`
	// Name is the reference the image was found by, fully qualified as
	// podman shows it (docker.io/library/busybox:latest,
	// localhost/busybox:1, docker.io/library/x@sha256:…), which rl ps
	// shows; "" for an image named by its id.
	Name string `json:"name,omitempty"`
	// Layers are the layer directories, top-most first, as overlayfs's
	// lowerdir takes them.
	Layers []string    `json:"layers"`
	Config ImageConfig `json:"config"`
}

// ImageConfig is an image's Entrypoint, Cmd, Env, WorkingDir and User.
type ImageConfig struct {
	Entrypoint []string `json:"entrypoint,omitempty"`
	Cmd        []string `json:"cmd,omitempty"`
	Env        []string `json:"env,omitempty"`
	WorkingDir string   `json:"working_dir,omitempty"`
	User       string   `json:"user,omitempty"`
	// ExposedPorts are the image's EXPOSE ports, "80/tcp" style, which
	// -P publishes.
	ExposedPorts []string `json:"exposed_ports,omitempty"`
	// StopSignal is the signal rl stop sends first (SIGTERM when unset).
	StopSignal string `json:"stop_signal,omitempty"`
	// Labels are the image's labels, which a container inherits.
	Labels map[string]string `json:"labels,omitempty"`
}

// ImageAnswer is what rl-image prints on its stdout: one JSON document
// with the result of its operation, or the error that stopped it (its
// stderr carries only progress).
type ImageAnswer struct {
	// Error is why the operation failed, with its cause
	// (failure.NotFound for an image the store does not have).
	Error   *failure.Error `json:"error,omitempty"`
	ID      string         `json:"id,omitempty"`
	Name    string         `json:"name,omitempty"`
	Image   *Image         `json:"image,omitempty"`
	Images  []ImageSummary `json:"images,omitempty"`
	Inspect *ImageInspect  `json:"inspect,omitempty"`
}

// ImageInspect is `rl image inspect`'s record of an image.
type ImageInspect struct {
	ID      string    `json:"id"`
	Names   []string  `json:"names"`
	Digest  string    `json:"digest"`
	Created time.Time `json:"created"`
	Size    int64     `json:"size"`
	// Config is the image's OCI configuration, as the registry served it.
	Config any `json:"config"`
}

// ImageSummary is one image of `rl images`.
type ImageSummary struct {
	ID      string    `json:"id"`
	Names   []string  `json:"names"`
	Created time.Time `json:"created"`
	Size    int64     `json:"size"`
}

// Interface is a network device in the container and its configuration.
type Interface struct {
	Dev     string `json:"dev"`     // tap0
	Address string `json:"address"` // with its prefix length: 10.0.2.100/24
	Gateway string `json:"gateway"` // the default route's next hop: 10.0.2.2
	MTU     int    `json:"mtu"`
}

// CreatedPaths are the paths that rl-init creates in the container's
// root when they are missing (rootless/child's buildRootfs): its mount
// points, the working directory and /run/.containerenv. The front end
// prepares the directories that hold them in a root filesystem that is
// not the user's (fsoverlay.PrepareUpper).
func (s *Spec) CreatedPaths() []string {
	paths := []string{"/proc", "/sys", "/dev", "/run/.containerenv"}
	for _, m := range s.Mounts {
		paths = append(paths, m.Destination)
	}
	if !s.CwdMustExist {
		paths = append(paths, s.Cwd)
	}
	return paths
}

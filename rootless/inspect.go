package rootless

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/store"

	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// Inspection is rl inspect's record of a container. Its fields are named
// as docker's and podman's, so that --format '{{.State.Status}}' and
// scripts written for them work.
type Inspection struct {
	ID      string    `json:"Id"`
	Name    string    `json:"Name"`
	Created time.Time `json:"Created"`
	Path    string    `json:"Path"`
	Args    []string  `json:"Args"`
	State   struct {
		Status     string    `json:"Status"`
		Running    bool      `json:"Running"`
		Pid        int       `json:"Pid"`
		ExitCode   int       `json:"ExitCode"`
		Error      string    `json:"Error"`
		StartedAt  time.Time `json:"StartedAt"`
		FinishedAt time.Time `json:"FinishedAt"`
		Restarts   int       `json:"RestartCount"`
		// MonitorPid is the rl process that supervises the container.
		MonitorPid int `json:"MonitorPid"`
		// Health is the health checks' verdict, with --health-cmd.
		Health *store.Health `json:"Health,omitempty"`
		// StoppedByUser: rl stop or rl kill ended the container (and
		// kept --restart from starting it again).
		StoppedByUser bool `json:"StoppedByUser"`
	} `json:"State"`
	Image string `json:"Image"`
	// ImageName is the name the image was given by, as podman shows it.
	ImageName string `json:"ImageName"`
	ImageID   string `json:"ImageID,omitempty"`
	// OCIRuntime is the program that set the container up, as rl info's
	// Host.OCIRuntime.Name.
	OCIRuntime string `json:"OCIRuntime"`
	// RestartCount is podman's place of State.RestartCount.
	RestartCount int `json:"RestartCount"`
	// ExecIDs are the running exec sessions'; rl keeps no record of
	// them, so the list is empty.
	ExecIDs []string `json:"ExecIDs"`
	Rootfs  string   `json:"Rootfs,omitempty"`
	LogPath string   `json:"LogPath"`
	// EffectiveCaps are the command's capabilities after the exec (root's:
	// the bounding set; another user's: --cap-add's), BoundingCaps its
	// bounding set, as podman names them.
	EffectiveCaps []string `json:"EffectiveCaps"`
	BoundingCaps  []string `json:"BoundingCaps"`
	Config        struct {
		Hostname   string   `json:"Hostname"`
		User       string   `json:"User"`
		Env        []string `json:"Env"`
		Cmd        []string `json:"Cmd"`
		WorkingDir string   `json:"WorkingDir"`
		Tty        bool     `json:"Tty"`
		OpenStdin  bool     `json:"OpenStdin"`
		// Labels, Umask and Timezone: inspectProcess.
		Labels   map[string]string `json:"Labels"`
		Umask    string            `json:"Umask"`
		Timezone string            `json:"Timezone"`
		// Image is the image's name, as podman's Config.Image.
		Image string `json:"Image"`
	} `json:"Config"`
	HostConfig struct {
		RestartPolicy  config.Restart `json:"RestartPolicy"`
		AutoRemove     bool           `json:"AutoRemove"`
		ReadonlyRootfs bool           `json:"ReadonlyRootfs"`
		NetworkMode    string         `json:"NetworkMode"`
		UsernsMode     string         `json:"UsernsMode"`
		Init           bool           `json:"Init"`
		Healthcheck    config.Health  `json:"Healthcheck"`
		// CapAdd and CapDrop are the bounding set against podman's
		// defaults (every capability with --privileged), as podman
		// computes them.
		CapAdd     []string `json:"CapAdd"`
		CapDrop    []string `json:"CapDrop"`
		Privileged bool     `json:"Privileged"`
		// SecurityOpt is podman's: no-new-privileges, seccomp=PROFILE
		// when one was given, unmask=all when nothing is masked.
		SecurityOpt []string `json:"SecurityOpt"`
		// SeccompProfilePath is "default", "unconfined" or the profile.
		SeccompProfilePath string `json:"SeccompProfilePath"`
		// MaskedPaths and ReadonlyPaths are docker's names.
		MaskedPaths   []string `json:"MaskedPaths"`
		ReadonlyPaths []string `json:"ReadonlyPaths"`
		// Ulimits, OomScoreAdj and GroupAdd: inspectProcess.
		Ulimits     []InspectUlimit `json:"Ulimits"`
		OomScoreAdj int             `json:"OomScoreAdj"`
		GroupAdd    []string        `json:"GroupAdd"`
		// PortBindings are the published ports, as podman keys them.
		PortBindings map[string][]HostPort `json:"PortBindings"`
		// LogConfig is where the container's output goes.
		LogConfig LogConfig `json:"LogConfig"`
		// CgroupManager is the manager of the container's cgroup, "" for none.
		CgroupManager string `json:"CgroupManager"`
	} `json:"HostConfig"`
	Mounts          []InspectMount  `json:"Mounts"`
	NetworkSettings NetworkSettings `json:"NetworkSettings"`
	IDMappings      userns.Level    `json:"IDMappings"`
	// Cgroup is where the limits live and which of them hold.
	Cgroup *store.CgroupState `json:"Cgroup,omitempty"`
}

// NetworkSettings are the container's network as inspected.
type NetworkSettings struct {
	Mode string `json:"Mode"`
	// Ports are keyed "PORT/PROTO" as docker's and podman's.
	Ports map[string][]HostPort `json:"Ports"`
	// Networks are the user-defined networks, by name, with the
	// container's place on each while it runs.
	Networks map[string]NetworkEndpoint `json:"Networks,omitempty"`
}

// NetworkEndpoint is a container's place on one network, in podman's
// fields.
type NetworkEndpoint struct {
	NetworkID   string   `json:"NetworkID"`
	IPAddress   string   `json:"IPAddress"`
	IPPrefixLen int      `json:"IPPrefixLen"`
	Gateway     string   `json:"Gateway"`
	MacAddress  string   `json:"MacAddress"`
	Aliases     []string `json:"Aliases"`
}

// HostPort is one host side of a published port.
type HostPort struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// portMap keys ports by "PORT/PROTO", the host sides in order.
func portMap(ports []network.PortMapping) map[string][]HostPort {
	m := map[string][]HostPort{}
	for _, p := range ports {
		k := strconv.Itoa(p.ContainerPort) + "/" + p.Proto
		m[k] = append(m[k], HostPort{HostIP: p.HostIP, HostPort: strconv.Itoa(p.HostPort)})
	}
	return m
}

// Inspect returns what rl knows of the container ref.
func (e *Engine) Inspect(ctx context.Context, ref string) (Inspection, error) {
	var in Inspection
	c, err := e.Store.Load(ref)
	if err != nil {
		return in, err
	}
	r, err := c.Record()
	if err != nil {
		return in, err
	}
	st := c.State
	in.ID, in.Name, in.Created = st.ID, st.Name, st.Created
	if len(st.Command) > 0 {
		in.Path, in.Args = st.Command[0], st.Command[1:]
	}
	in.State.Status, in.State.Running, in.State.ExitCode = e.Store.ShownStatus(st), st.Status == store.StatusRunning, st.ExitCode
	in.State.StoppedByUser = st.Status == store.StatusExited && store.Exists(c.StopMarker())
	if in.State.Running {
		in.State.Pid, in.State.MonitorPid = st.Pid, st.Monitor.Pid
	}
	if in.State.Running {
		in.State.Health = c.Health()
	}
	in.State.Error, in.State.StartedAt, in.State.FinishedAt, in.State.Restarts = st.Error, st.Started, st.Finished, st.Restarts
	// Image is the image's id, as podman's; ImageName the name it was given.
	in.Image, in.ImageID, in.Rootfs, in.LogPath = st.ImageID, st.ImageID, st.Rootfs, c.LogPath()
	if in.Image == "" {
		in.Image = st.Image
	}
	in.ImageName, in.RestartCount, in.ExecIDs, in.OCIRuntime = st.ImageName, st.Restarts, []string{}, "rl-init"
	if in.ImageName == "" {
		in.ImageName = st.Image
	}
	in.Config.Image = in.ImageName
	sp, o := r.Spec, r.Options
	in.Config.Hostname, in.Config.Env, in.Config.Cmd, in.Config.WorkingDir = sp.Hostname, sp.Env, sp.Args, sp.Cwd
	in.Config.User, in.Config.Tty, in.Config.OpenStdin = o.User, o.TTY, o.Interactive
	h := &in.HostConfig
	h.RestartPolicy, h.AutoRemove, h.ReadonlyRootfs, h.Init = o.Restart, o.Remove, o.ReadOnly, o.Init
	h.NetworkMode, h.UsernsMode, h.Healthcheck = o.Net.Mode.String(), string(o.Userns), o.Health
	inspectSecurity(&in, sp, o.Security)
	inspectProcess(&in, sp, o)
	in.Mounts = inspectMounts(sp.Mounts)
	in.NetworkSettings = NetworkSettings{Mode: o.Net.Mode.String(), Ports: portMap(st.Ports), Networks: e.endpoints(c, o.Net.Mode)}
	h.PortBindings = portMap(st.Ports)
	h.LogConfig = logConfig(c, o.Log)
	if st.Cgroup != nil {
		h.CgroupManager = st.Cgroup.Manager
	}
	if maps, _, err := userns.ForCaller(o.Userns, o.IDMaps); err == nil {
		in.IDMappings = maps.Container()
	}
	in.Cgroup = st.Cgroup
	return in, nil
}

// inspectSecurity fills in the container's confinement from its spec (what
// rl-init applies) and its options (what the user asked for).
func inspectSecurity(in *Inspection, sp *spec.Spec, sec config.Security) {
	bounding := sp.Capabilities
	if bounding == nil {
		bounding = capabilitySet(config.Security{}, config.AllCapabilities()).Bounding
	}
	in.BoundingCaps = capabilityNames(bounding)
	in.EffectiveCaps = in.BoundingCaps
	if sp.User.UID != 0 {
		in.EffectiveCaps = capabilityNames(sp.UserCapabilities)
	}
	h := &in.HostConfig
	base := config.DefaultCapabilities
	if sec.Privileged {
		base = capabilityNames(config.AllCapabilities())
	}
	h.CapAdd, h.CapDrop = []string{}, []string{}
	for _, c := range in.BoundingCaps {
		if !slices.Contains(base, c) {
			h.CapAdd = append(h.CapAdd, c)
		}
	}
	for _, c := range base {
		if !slices.Contains(in.BoundingCaps, c) {
			h.CapDrop = append(h.CapDrop, c)
		}
	}
	slices.Sort(h.CapDrop)
	h.Privileged = sec.Privileged
	h.SecurityOpt = []string{}
	if sp.NoNewPrivileges {
		h.SecurityOpt = append(h.SecurityOpt, "no-new-privileges")
	}
	if sec.Seccomp != "" {
		h.SecurityOpt = append(h.SecurityOpt, "seccomp="+sec.Seccomp)
	}
	h.SeccompProfilePath = seccompProfile(sec)
	h.MaskedPaths, h.ReadonlyPaths = sp.MaskedPaths, sp.ReadonlyPaths
	if h.MaskedPaths != nil && len(h.MaskedPaths) == 0 {
		// (nil: a record from before rl sent the lists.)
		h.SecurityOpt = append(h.SecurityOpt, "unmask=all")
	}
}

// PodInspection is rl pod inspect's record: rl's PodStatus with podman's
// field names beside ({{.State}}, {{.NumContainers}}, {{.InfraContainerID}}).
type PodInspection struct {
	PodStatus
	State            string `json:"State"`
	NumContainers    int    `json:"NumContainers"`
	InfraContainerID string `json:"InfraContainerID"`
}

// InspectPodRecord returns what rl knows of the pod ref, as podman names it.
func (e *Engine) InspectPodRecord(ctx context.Context, ref string) (PodInspection, error) {
	p, err := e.InspectPod(ctx, ref)
	return PodInspection{PodStatus: p, State: p.Status, NumContainers: len(p.Containers), InfraContainerID: p.InfraID}, err
}

// ImageInspection is an image as rl inspect shows it, in podman's field
// names ({{.ID}}, {{.RepoTags}}, {{.RepoDigests}}).
type ImageInspection struct {
	ID          string    `json:"Id"`
	Digest      string    `json:"Digest"`
	RepoTags    []string  `json:"RepoTags"`
	RepoDigests []string  `json:"RepoDigests"`
	Created     time.Time `json:"Created"`
	Size        int64     `json:"Size"`
	Config      any       `json:"Config"`
}

// NewImageInspection is rec in podman's names: each repository of its
// names with the digest is one of RepoDigests.
func NewImageInspection(rec *spec.ImageInspect) ImageInspection {
	in := ImageInspection{
		ID: rec.ID, Digest: rec.Digest, RepoTags: slices.Clone(rec.Names), RepoDigests: []string{},
		Created: rec.Created, Size: rec.Size, Config: rec.Config,
	}
	if in.RepoTags == nil {
		in.RepoTags = []string{}
	}
	for _, n := range rec.Names {
		repo := n
		if i := strings.LastIndex(n, ":"); i > strings.LastIndex(n, "/") {
			repo = n[:i]
		}
		if d := repo + "@" + rec.Digest; rec.Digest != "" && !slices.Contains(in.RepoDigests, d) {
			in.RepoDigests = append(in.RepoDigests, d)
		}
	}
	return in
}

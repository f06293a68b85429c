package rootless

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/userns"
)

// Info is `rl info` in podman's shape (its define.Info): the same field
// names, so that `--format '{{.Host.OCIRuntime.Name}}'` and the JSON keys
// that podman's scripts read work; RL is rl's own account (Machine).
type Info struct {
	Host       HostInfo       `json:"host"`
	Store      StoreInfo      `json:"store"`
	Registries map[string]any `json:"registries"`
	Plugins    PluginsInfo    `json:"plugins"`
	Version    VersionInfo    `json:"version"`
	RL         Machine        `json:"rl"`
}

// HostInfo is podman's info.host.
type HostInfo struct {
	Arch              string           `json:"arch"`
	CgroupManager     string           `json:"cgroupManager"`
	CgroupsVersion    string           `json:"cgroupVersion"`
	CgroupControllers []string         `json:"cgroupControllers"`
	CPUs              int              `json:"cpus"`
	Distribution      DistributionInfo `json:"distribution"`
	EventLogger       string           `json:"eventLogger"`
	Hostname          string           `json:"hostname"`
	IDMappings        struct {
		GIDMap []userns.IDMap `json:"gidmap"`
		UIDMap []userns.IDMap `json:"uidmap"`
	} `json:"idMappings"`
	Kernel             string       `json:"kernel"`
	LogDriver          string       `json:"logDriver"`
	MemFree            int64        `json:"memFree"`
	MemTotal           int64        `json:"memTotal"`
	NetworkBackend     string       `json:"networkBackend"`
	OCIRuntime         ProgramInfo  `json:"ociRuntime"`
	OS                 string       `json:"os"`
	RootlessNetworkCmd string       `json:"rootlessNetworkCmd"`
	Security           SecurityInfo `json:"security"`
	Slirp4NetNS        ProgramInfo  `json:"slirp4netns"`
	Pasta              ProgramInfo  `json:"pasta"`
	Uptime             string       `json:"uptime"`
}

// DistributionInfo is the host's /etc/os-release.
type DistributionInfo struct {
	Distribution string `json:"distribution"`
	Version      string `json:"version"`
	Codename     string `json:"codename,omitempty"`
}

// ProgramInfo names a program rl runs. Executable and Path are the same
// path, under the two names podman uses (slirp4netns, ociRuntime).
type ProgramInfo struct {
	Name       string `json:"name,omitempty"`
	Executable string `json:"executable,omitempty"`
	Path       string `json:"path,omitempty"`
	Package    string `json:"package"`
	Version    string `json:"version"`
}

// SecurityInfo is podman's info.host.security.
type SecurityInfo struct {
	AppArmorEnabled    bool   `json:"apparmorEnabled"`
	Capabilities       string `json:"capabilities"`
	Rootless           bool   `json:"rootless"`
	SECCOMPEnabled     bool   `json:"seccompEnabled"`
	SECCOMPProfilePath string `json:"seccompProfilePath"`
	SELinuxEnabled     bool   `json:"selinuxEnabled"`
}

// StoreInfo is podman's info.store.
type StoreInfo struct {
	ConfigFile     string `json:"configFile"`
	ContainerStore struct {
		Number  int `json:"number"`
		Paused  int `json:"paused"`
		Running int `json:"running"`
		Stopped int `json:"stopped"`
	} `json:"containerStore"`
	GraphDriverName string            `json:"graphDriverName"`
	GraphOptions    map[string]any    `json:"graphOptions"`
	GraphRoot       string            `json:"graphRoot"`
	GraphStatus     map[string]string `json:"graphStatus"`
	ImageStore      struct {
		Number int `json:"number"`
	} `json:"imageStore"`
	RunRoot string `json:"runRoot"`
}

// PluginsInfo lists the drivers rl has, by podman's names.
type PluginsInfo struct {
	Volume  []string `json:"volume"`
	Network []string `json:"network"`
	Log     []string `json:"log"`
}

// VersionInfo is podman's version record (podman version, info.version).
type VersionInfo struct {
	APIVersion string `json:"APIVersion"`
	Version    string `json:"Version"`
	GoVersion  string `json:"GoVersion"`
	GitCommit  string `json:"GitCommit"`
	BuiltTime  string `json:"BuiltTime"`
	Built      int64  `json:"Built"`
	OsArch     string `json:"OsArch"`
	Os         string `json:"Os"`
}

// NewVersionInfo is the record of rl version v.
func NewVersionInfo(v string) VersionInfo {
	return VersionInfo{
		APIVersion: v, Version: v, GoVersion: runtime.Version(), BuiltTime: time.Unix(0, 0).UTC().Format(time.ANSIC),
		OsArch: runtime.GOOS + "/" + runtime.GOARCH, Os: runtime.GOOS,
	}
}

// HostSettings are the engine-wide choices that `rl info` reports:
// the global flags' and containers.conf's.
type HostSettings struct {
	CgroupManager string
	EventLogger   string
	LogDriver     string
	Version       string
}

// Info describes the machine in podman's shape. The OCI runtime is
// rl-init: rl does not run runc or crun, rl-init does their work (the
// namespaces, mounts and exec of the container's process).
func (e *Engine) Info(ctx context.Context, hs HostSettings) Info {
	m := e.Machine(ctx)
	in := Info{RL: m, Registries: map[string]any{}, Version: NewVersionInfo(hs.Version)}
	h := &in.Host
	h.Arch, h.OS, h.CPUs, h.Kernel = runtime.GOARCH, runtime.GOOS, runtime.NumCPU(), m.Kernel
	h.CgroupManager, h.CgroupsVersion, h.CgroupControllers = hs.CgroupManager, cgroupsVersion(), []string{}
	h.EventLogger, h.LogDriver = hs.EventLogger, hs.LogDriver
	h.Hostname, _ = os.Hostname()
	h.Distribution = osRelease("/etc/os-release")
	if maps, _, err := userns.ForCaller(userns.ModeDefault, nil); err == nil {
		h.IDMappings.UIDMap, h.IDMappings.GIDMap = maps.Outer.UIDs, maps.Outer.GIDs
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		unit := int64(si.Unit)
		h.MemTotal, h.MemFree = int64(si.Totalram)*unit, int64(si.Freeram)*unit
		h.Uptime = (time.Duration(si.Uptime) * time.Second).String()
	}
	// rl has no bridge networks (podman's netavark or CNI): its containers'
	// networks are user-mode ones that rl starts itself.
	h.NetworkBackend, h.RootlessNetworkCmd = "none", "slirp4netns"
	if p, err := launch.Helper("rl-init", launch.ErrNoInit); err == nil {
		h.OCIRuntime = ProgramInfo{Name: "rl-init", Path: p, Version: "rl-init version " + hs.Version}
	}
	h.Slirp4NetNS, h.Pasta = lookProgram("slirp4netns"), lookProgram("pasta")
	h.Security = SecurityInfo{
		Capabilities: strings.Join(config.DefaultCapabilities, ","), Rootless: m.Rootless,
		SECCOMPEnabled: true, SECCOMPProfilePath: "default",
	}
	st := &in.Store
	st.ConfigFile, st.GraphDriverName, st.GraphRoot, st.RunRoot = store.ConfigPath(), "overlay", e.Store.GraphRoot(), e.Store.RunRoot
	st.GraphOptions, st.GraphStatus = map[string]any{}, map[string]string{}
	if states, err := e.Store.List(); err == nil {
		st.ContainerStore.Number = len(states)
		for _, s := range states {
			if s.Active() {
				st.ContainerStore.Running++
			} else {
				st.ContainerStore.Stopped++
			}
		}
	}
	if images, err := e.Images().List(ctx); err == nil {
		st.ImageStore.Number = len(images)
	} else {
		in.RL.Warnings = append(in.RL.Warnings, fmt.Sprintf("listing images: %v", err))
	}
	in.Plugins = PluginsInfo{Volume: []string{"local"}, Network: []string{}, Log: []string{"k8s-file"}}
	return in
}

// cgroupsVersion is "v2" on a unified cgroup hierarchy, else "v1".
func cgroupsVersion() string {
	var fs unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &fs) == nil && fs.Type == unix.CGROUP2_SUPER_MAGIC {
		return "v2"
	}
	return "v1"
}

// lookProgram describes a helper program found on $PATH.
func lookProgram(name string) ProgramInfo {
	p, err := exec.LookPath(name)
	if err != nil {
		return ProgramInfo{}
	}
	return ProgramInfo{Executable: p}
}

// osRelease reads the distribution's name, version and codename.
func osRelease(path string) DistributionInfo {
	var d DistributionInfo
	f, err := os.Open(path)
	if err != nil {
		return d
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "ID":
			d.Distribution = v
		case "VERSION_ID":
			d.Version = v
		case "VERSION_CODENAME":
			d.Codename = v
		}
	}
	return d
}

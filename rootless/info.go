package rootless

import (
	"context"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/userns"
)

// Machine is what `rl info` reports in rl's own words: what rl would use
// on this machine, and what is missing.
type Machine struct {
	Kernel   string   `json:"kernel"`
	Rootless bool     `json:"rootless"`
	UIDMap   string   `json:"uid_map"`
	GIDMap   string   `json:"gid_map"`
	Overlay  string   `json:"overlay"`
	Network  string   `json:"network"`
	Cgroups  string   `json:"cgroups"`
	Root     string   `json:"root"`
	RunRoot  string   `json:"run_root"`
	Helpers  []string `json:"helpers"`
	Seccomp  string   `json:"seccomp"`
	Warnings []string `json:"warnings,omitempty"`
}

// Machine describes the machine as rl sees it. Problems it can name (no
// subordinate ids, a missing helper) become warnings rather than errors,
// so that `rl info` always answers.
func (e *Engine) Machine(ctx context.Context) Machine {
	st := e.Store
	info := Machine{
		Rootless: os.Getuid() != 0,
		Cgroups:  cgroupsd.Describe(),
		Root:     st.Root,
		RunRoot:  st.RunRoot,
	}
	var uts unix.Utsname
	if unix.Uname(&uts) == nil {
		info.Kernel = unix.ByteSliceToString(uts.Release[:])
	}
	maps, warning, err := userns.ForCaller(userns.ModeDefault, nil)
	switch {
	case err != nil:
		info.Warnings = append(info.Warnings, err.Error())
	case maps.Privileged:
		info.UIDMap = "none: real root runs in the initial user namespace"
		info.GIDMap = info.UIDMap
	default:
		info.UIDMap, info.GIDMap = hostRanges(maps.Outer.UIDs), hostRanges(maps.Outer.GIDs)
	}
	if warning != "" {
		info.Warnings = append(info.Warnings, warning)
	}
	info.Overlay = overlayMode(st, maps.Privileged)
	info.Seccomp = seccompInfo()
	var warnings []string
	info.Network, warnings = network.Describe()
	info.Warnings = append(info.Warnings, warnings...)
	for _, h := range []struct {
		name     string
		notFound error
	}{{"rl-init", launch.ErrNoInit}, {"rl-image", image.ErrNoHelper}} {
		p, err := launch.Helper(h.name, h.notFound)
		if err != nil {
			info.Warnings = append(info.Warnings, err.Error())
			continue
		}
		info.Helpers = append(info.Helpers, p)
	}
	return info
}

// overlayMode says how containers' root overlays are mounted.
func overlayMode(s store.Store, privileged bool) string {
	fuse, only := s.FuseOverlay(privileged)
	switch {
	case only:
		return "fuse-overlayfs (" + fuse + "), set by mount_program in " + store.ConfigPath()
	case privileged:
		return "kernel overlayfs (trusted xattrs)"
	case fuse == "":
		return "kernel overlayfs mounted in the user namespace (userxattr; Linux >= 5.11); no fallback: fuse-overlayfs is not installed"
	}
	return "kernel overlayfs mounted in the user namespace (userxattr; Linux >= 5.11); fallback: fuse-overlayfs (" + fuse + ")"
}

// hostRanges renders maps as "container ids -> host ids" ranges.
func hostRanges(maps []userns.IDMap) string {
	parts := make([]string, len(maps))
	for i, m := range maps {
		parts[i] = userns.Describe([]userns.IDMap{m}) + " -> " +
			userns.Describe([]userns.IDMap{{ContainerID: m.HostID, Size: m.Size}})
	}
	return strings.Join(parts, ", ")
}

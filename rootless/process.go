package rootless

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
)

// processSpec is the part of rl-init's spec that shapes the command's
// process, from the flags: the limits (podman's defaults where --ulimit
// names none), umask, OOM score, groups, and /run/.containerenv.
func processSpec(c *store.Container, opts config.Container) spec.Process {
	p := opts.Process
	umask := p.Umask
	return spec.Process{
		Rlimits:      config.DefaultUlimits(p.Ulimits),
		Umask:        &umask,
		OOMScoreAdj:  p.OOMScoreAdj,
		KeepGroups:   p.KeepGroups,
		CwdMustExist: opts.Workdir != "",
		HostCgroupNS: p.HostCgroupNS,
		ContainerEnv: containerEnv(c, opts),
	}
}

// containerEnv is /run/.containerenv's content: nothing, or with
// --privileged podman's keys naming the container (shell syntax).
func containerEnv(c *store.Container, opts config.Container) string {
	if !opts.Security.Privileged {
		return ""
	}
	image := c.State.Image
	if image == "" {
		image = c.State.ImageName
	}
	return fmt.Sprintf("engine=\"rl\"\nname=%q\nid=%q\nimage=%q\nimageid=%q\nrootless=1\n",
		c.State.Name, c.State.ID, image, c.State.ImageID)
}

// clampOOMScoreAdj raises a requested oom_score_adj that is lower than
// rl's own to it, with podman's warning: lowering it needs
// CAP_SYS_RESOURCE, which an unprivileged user has not (proc(5)).
func clampOOMScoreAdj(requested *int, current func() (int, error)) *int {
	if requested == nil {
		return nil
	}
	cur, err := current()
	if err != nil || *requested >= cur {
		return requested
	}
	slog.Warn(fmt.Sprintf("Requested oom_score_adj=%d is lower than the current one, changing to %d", *requested, cur))
	return &cur
}

// OwnOOMScoreAdj reads rl's own oom_score_adj.
func OwnOOMScoreAdj() (int, error) {
	b, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// timezoneMount is --tz's read-only bind of the host's zone file on
// /etc/localtime, or none.
func timezoneMount(tz string) ([]spec.Mount, error) {
	if tz == "" {
		return nil, nil
	}
	src, err := config.ZoneFile(tz)
	if err != nil {
		return nil, fmt.Errorf("time zone %s: %w", tz, err)
	}
	return []spec.Mount{{Kind: spec.Bind, Source: src, Destination: "/etc/localtime", ReadOnly: true}}, nil
}

// InspectUlimit is one resource limit as podman inspects it
// (.HostConfig.Ulimits): -1 for unlimited.
type InspectUlimit struct {
	Name string
	Soft int64
	Hard int64
}

// inspectProcess fills in the labels and the process's shape from the
// options and the spec.
func inspectProcess(in *Inspection, sp *spec.Spec, o config.Container) {
	in.Config.Labels = o.Labels
	if in.Config.Labels == nil {
		in.Config.Labels = map[string]string{}
	}
	in.Config.Timezone = o.Process.Timezone
	if sp.Umask != nil {
		in.Config.Umask = fmt.Sprintf("%04o", *sp.Umask)
	}
	h := &in.HostConfig
	h.Ulimits = []InspectUlimit{}
	for _, l := range sp.Rlimits {
		h.Ulimits = append(h.Ulimits, InspectUlimit{Name: l.Type, Soft: int64(l.Soft), Hard: int64(l.Hard)})
	}
	if sp.OOMScoreAdj != nil {
		h.OomScoreAdj = *sp.OOMScoreAdj
	}
	h.GroupAdd = o.Process.GroupAdd
	if o.Process.KeepGroups {
		h.GroupAdd = []string{"keep-groups"}
	}
}

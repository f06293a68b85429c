package opts

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	units "github.com/docker/go-units"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/spec"
)

// Process are the flags that shape the container's process beyond its
// command and identity (podman's names).
type Process struct {
	// Ulimits are the --ulimit values; the containers.conf reader fills
	// them with default_ulimits when the flag is not given.
	Ulimits []string
	Umask   string
	// GroupAdd are --group-add's groups, or keep-groups.
	GroupAdd    []string
	OOMScoreAdj int
	// OOMScoreAdjSet is whether --oom-score-adj was given.
	OOMScoreAdjSet    bool
	Timezone          string
	CgroupNS          string
	DeviceCgroupRules []string
}

// ParseProcess checks the process flags.
func (f Process) ParseProcess() (config.Process, error) {
	var p config.Process
	var err error
	if p.Ulimits, err = ParseUlimits(f.Ulimits); err != nil {
		return p, err
	}
	if p.Umask, err = ParseUmask(f.Umask); err != nil {
		return p, err
	}
	if p.GroupAdd, p.KeepGroups, err = ParseGroupAdd(f.GroupAdd); err != nil {
		return p, err
	}
	if f.OOMScoreAdjSet {
		if f.OOMScoreAdj < -1000 || f.OOMScoreAdj > 1000 {
			return p, fmt.Errorf("invalid --oom-score-adj %d: oom_score_adj must be between -1000 and 1000", f.OOMScoreAdj)
		}
		n := f.OOMScoreAdj
		p.OOMScoreAdj = &n
	}
	if f.Timezone != "" {
		if _, err := config.ZoneFile(f.Timezone); err != nil {
			return p, fmt.Errorf("invalid --tz %q: %w", f.Timezone, err)
		}
		p.Timezone = f.Timezone
	}
	switch f.CgroupNS {
	case "", "private":
	case "host":
		p.HostCgroupNS = true
	default:
		return p, fmt.Errorf("invalid --cgroupns %q: use host or private", f.CgroupNS)
	}
	if len(f.DeviceCgroupRules) > 0 {
		// The device controller of cgroup v2 is an eBPF program, which
		// an unprivileged user may not attach.
		return p, errors.New("--device-cgroup-rule: device cgroup rules are not supported in rootless mode or in a user namespace")
	}
	return p, nil
}

// ParseUlimits parses --ulimit values as podman does: NAME=SOFT[:HARD]
// with go-units' names (nofile, nproc, core, ...; an RLIMIT_ prefix and
// upper case allowed), -1 for unlimited (the caller's hard limit, for an
// unprivileged user); "host" drops the limits given (podman's defaults
// for nofile and nproc still apply, clamped to the caller's limits).
func ParseUlimits(values []string) ([]spec.Rlimit, error) {
	var out []spec.Rlimit
	for _, v := range values {
		if v == "host" {
			return nil, nil
		}
		u, err := units.ParseUlimit(strings.TrimPrefix(strings.ToLower(v), "rlimit_"))
		if err == nil && (u.Soft < -1 || u.Hard < -1) {
			err = errors.New("a limit is a number of 0 or more, or -1 for unlimited")
		}
		var rl *units.Rlimit
		if err == nil {
			rl, err = u.GetRlimit()
		}
		if err != nil {
			return nil, fmt.Errorf("invalid --ulimit %q: requires name=SOFT:HARD, failed to be parsed: %w", v, err)
		}
		out = append(out, spec.Rlimit{
			Type: "RLIMIT_" + strings.ToUpper(u.Name), Resource: rl.Type,
			Soft: uint64(u.Soft), Hard: uint64(u.Hard),
		})
	}
	return out, nil
}

// ParseEntrypoint reads --entrypoint as podman does: a JSON array of
// strings is the program and its first arguments, anything else the
// program alone; "" clears the image's entrypoint (nil).
func ParseEntrypoint(s string) []string {
	if s == "" {
		return nil
	}
	var args []string
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &args) == nil {
		return args
	}
	return []string{s}
}

// ParseUmask reads --umask, an octal mode up to 0777; "" is podman's
// default, 0022.
func ParseUmask(s string) (uint32, error) {
	if s == "" {
		return 0o022, nil
	}
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o777 {
		return 0, fmt.Errorf("invalid --umask %q: want an octal mode such as 0022", s)
	}
	return uint32(n), nil
}

// ParseGroupAdd reads --group-add: group names or gids, or keep-groups
// alone (the caller's supplementary groups kept, as crun's
// keep_original_groups).
func ParseGroupAdd(values []string) ([]string, bool, error) {
	var groups []string
	keep := false
	for _, v := range values {
		switch {
		case v == "keep-groups":
			keep = true
		case v == "" || strings.ContainsAny(v, ":\n\x00"):
			return nil, false, fmt.Errorf("invalid --group-add %q: want a group name or gid", v)
		default:
			groups = append(groups, v)
		}
	}
	if keep && len(groups) > 0 {
		return nil, false, errors.New("the '--group-add keep-groups' option is not allowed with any other --group-add options")
	}
	return groups, keep, nil
}

// ParseDNSOption checks a --dns-opt value: one resolv.conf option
// (ndots:2, rotate, ...), which holds no white space.
func ParseDNSOption(s string) (string, error) {
	if s == "" || strings.ContainsAny(s, " \t\n\v\f\r\x00") {
		return "", fmt.Errorf("invalid --dns-opt %q: want one resolver option such as ndots:2", s)
	}
	return s, nil
}

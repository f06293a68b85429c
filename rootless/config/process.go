package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

// Process is what the flags ask of the container's process beyond its
// command and identity: podman's --ulimit, --umask, --group-add,
// --oom-score-adj, --tz and --cgroupns.
type Process struct {
	// Ulimits are --ulimit's limits, to which DefaultUlimits adds
	// podman's for nofile and nproc when they name none.
	Ulimits []spec.Rlimit
	// Umask is the command's umask (podman's default 0022).
	Umask uint32
	// GroupAdd are supplementary groups to add, names (of the image's
	// /etc/group) or gids; KeepGroups keeps the caller's instead.
	GroupAdd   []string
	KeepGroups bool
	// OOMScoreAdj is --oom-score-adj; nil keeps rl's own.
	OOMScoreAdj *int
	// Timezone is --tz: "local" (the host's /etc/localtime), an
	// Area/City name of the host's zoneinfo, or "" for the image's.
	Timezone string
	// HostCgroupNS is --cgroupns host.
	HostCgroupNS bool
}

// DefaultUlimits are the limits podman gives a container whose --ulimit
// does not name them: 1048576 open files and processes, which rl-init
// lowers to the caller's hard limits (an unprivileged process cannot
// raise them).
func DefaultUlimits(given []spec.Rlimit) []spec.Rlimit {
	const max = 1048576
	out := append([]spec.Rlimit(nil), given...)
	for _, d := range []spec.Rlimit{
		{Type: "RLIMIT_NOFILE", Resource: unix.RLIMIT_NOFILE, Soft: max, Hard: max, Clamp: true},
		{Type: "RLIMIT_NPROC", Resource: unix.RLIMIT_NPROC, Soft: max, Hard: max, Clamp: true},
	} {
		named := false
		for _, g := range given {
			named = named || g.Resource == d.Resource
		}
		if !named {
			out = append(out, d)
		}
	}
	return out
}

// ZoneFile is the host's zoneinfo file for --tz: /etc/localtime (its
// target) for "local", else the zone's file under $TZDIR or
// /usr/share/zoneinfo, which must be a regular file.
func ZoneFile(tz string) (string, error) {
	if tz == "local" {
		return filepath.EvalSymlinks("/etc/localtime")
	}
	if filepath.IsAbs(tz) || tz != filepath.Clean(tz) || strings.HasPrefix(tz, "..") {
		return "", errors.New("want local, or a zone name such as Europe/Berlin")
	}
	dir := os.Getenv("TZDIR")
	if dir == "" {
		dir = "/usr/share/zoneinfo"
	}
	p, err := filepath.EvalSymlinks(filepath.Join(dir, tz))
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a time zone file", p)
	}
	return p, nil
}

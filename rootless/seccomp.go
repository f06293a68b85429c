package rootless

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/seccomp"
)

// seccompFilter returns the compiled seccomp filter of a container with
// the confinement sec, for its spec (spec.Spec.Seccomp): nil for none
// (seccomp=unconfined, or --privileged without a profile, as podman),
// else the default profile's or sec.Seccomp's file's, resolved for the
// container's bounding set (the one its spec gets) and compiled
// once per profile, capability set, kernel and rl build into the run
// root's seccomp directory. A profile that cannot be read or parsed is
// an error here, before the container exists.
func (e *Engine) seccompFilter(sec config.Security, bounding []uint) ([]byte, error) {
	var p *seccomp.Profile
	switch {
	case sec.Seccomp == config.SeccompUnconfined, sec.Seccomp == "" && sec.Privileged:
		return nil, nil
	case sec.Seccomp == "":
		p = seccomp.Default()
	default:
		data, err := os.ReadFile(sec.Seccomp)
		if err != nil {
			return nil, fmt.Errorf("reading the seccomp profile: %w; give a docker/podman JSON profile or seccomp=unconfined", err)
		}
		if p, err = seccomp.Parse(sec.Seccomp, data); err != nil {
			return nil, err
		}
	}
	caps := make([]string, 0, len(bounding))
	for _, c := range bounding {
		caps = append(caps, config.CapabilityName(c))
	}
	// The cache lives in the run root, which must be ours first.
	if err := e.Store.EnsureRunRoot(); err != nil {
		return nil, err
	}
	return seccomp.Cache{Dir: filepath.Join(e.Store.RunRoot, "seccomp")}.Filter(p, caps)
}

// seccompInfo is rl info's line on the default profile.
func seccompInfo() string {
	return "default profile from " + seccomp.DefaultSource() + "; x86_64, i386 and x32 ABIs"
}

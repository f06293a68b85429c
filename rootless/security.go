package rootless

import (
	"path/filepath"
	"slices"

	"github.com/rl-containers/rl/rootless/config"
)

// The capability sets, masked paths and read-only paths of a container,
// computed in the front end as podman computes them and sent to rl-init in
// its spec, which applies exactly what it is given.

// Capabilities are a container's capabilities by number: Bounding is the
// command's bounding set, which root in the container has as its
// effective and permitted set after the exec; User is what a non-root
// user keeps (as ambient capabilities): --cap-add's, as podman gives.
type Capabilities struct {
	Bounding []uint
	User     []uint
}

// capabilitySet merges --cap-add and --cap-drop into podman's default
// capabilities as containers/common's capabilities.MergeCapabilities
// does, and gives --privileged every capability, all
// (config.AllCapabilities; podman's BoundingSet). Podman's order: --cap-drop ALL leaves only --cap-add's;
// --cap-add ALL starts from every capability and then drops
// --cap-drop's; otherwise the defaults minus the drops plus the adds.
// A capability named by both (and ALL in both) is refused at the command
// line (cmd/rl/opts); given both here anyway, the drop wins.
func capabilitySet(sec config.Security, all []uint) Capabilities {
	numbers := func(names []string) []uint {
		var out []uint
		for _, n := range names {
			if n == capAll {
				out = append(out, all...)
				continue
			}
			if c, ok := config.CapabilityNumber(n); ok && slices.Contains(all, c) {
				out = append(out, c)
			}
		}
		return sortedSet(out)
	}
	adds, drops := numbers(sec.CapAdd), numbers(sec.CapDrop)
	var bounding []uint
	switch {
	case sec.Privileged:
		bounding = all
	case slices.Contains(sec.CapDrop, capAll):
		bounding = adds
		if slices.Contains(sec.CapAdd, capAll) {
			bounding = nil
		}
	case slices.Contains(sec.CapAdd, capAll):
		bounding = without(all, drops)
	default:
		bounding = without(sortedSet(append(numbers(config.DefaultCapabilities), adds...)), drops)
	}
	// Podman: a non-root user gets --cap-add's (ALL: every capability),
	// inside the bounding set, whatever --privileged says.
	user := slices.DeleteFunc(slices.Clone(adds), func(c uint) bool { return !slices.Contains(bounding, c) })
	if bounding == nil {
		bounding = []uint{} // none, not "unset" (spec.Spec.Capabilities)
	}
	if len(user) == 0 {
		user = nil
	}
	return Capabilities{Bounding: bounding, User: user}
}

// capAll in --cap-add or --cap-drop is every capability.
const capAll = "ALL"

func sortedSet(caps []uint) []uint {
	slices.Sort(caps)
	return slices.Compact(caps)
}

func without(caps, drop []uint) []uint {
	return slices.DeleteFunc(slices.Clone(caps), func(c uint) bool { return slices.Contains(drop, c) })
}

// capabilityNames are the names of caps, in order, for rl inspect.
func capabilityNames(caps []uint) []string {
	names := make([]string, 0, len(caps))
	for _, c := range caps {
		if n := config.CapabilityName(c); n != "" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// defaultMaskedPaths are hidden from the container: files under
// /dev/null, directories under an empty read-only tmpfs. They are the
// union of podman 4.3's list (pkg/specgen/generate/config_linux.go,
// BlockAccessToKernelFilesystems: it has /sys/dev/block, which podman 5
// dropped) and podman 5's (containers/common pkg/config DefaultMaskedPaths:
// /proc/interrupts, powercap and the CPUs' thermal_throttle, globbed on
// the host), so that a container sees no more than under either.
var defaultMaskedPaths = []string{
	"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats",
	"/proc/interrupts",
	"/sys/dev/block", "/sys/devices/virtual/powercap", "/sys/firmware", "/sys/fs/selinux",
}

// maskedPathGlobs are masked where they match on the host.
var maskedPathGlobs = []string{"/sys/devices/system/cpu/cpu*/thermal_throttle"}

// defaultReadonlyPaths stay visible but read-only (podman's
// DefaultReadOnlyPaths).
var defaultReadonlyPaths = []string{
	"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
}

// pathRules returns the masked and read-only paths, as podman's
// BlockAccessToKernelFilesystems: the defaults less those --security-opt
// unmask= matches (filepath.Match patterns, or ALL), none with
// --privileged, and mask='s paths in every case. The lists are never nil
// (an empty list is none, nil would be "unset").
func pathRules(sec config.Security, glob func(string) ([]string, error)) (masked, readonly []string) {
	masked, readonly = []string{}, []string{}
	if !sec.Privileged {
		defaults := slices.Clone(defaultMaskedPaths)
		for _, g := range maskedPathGlobs {
			if m, err := glob(g); err == nil {
				defaults = append(defaults, m...)
			}
		}
		for _, p := range defaults {
			if !unmasked(p, sec.Unmask) {
				masked = append(masked, p)
			}
		}
		for _, p := range defaultReadonlyPaths {
			if !unmasked(p, sec.Unmask) {
				readonly = append(readonly, p)
			}
		}
	}
	for _, p := range sec.Mask {
		if !slices.Contains(masked, p) {
			masked = append(masked, p)
		}
	}
	return masked, readonly
}

// unmasked reports whether --security-opt unmask= removes p.
func unmasked(p string, unmask []string) bool {
	for _, u := range unmask {
		if u == config.UnmaskAll {
			return true
		}
		if ok, _ := filepath.Match(u, p); ok {
			return true
		}
	}
	return false
}

// seccompProfile is rl inspect's SeccompProfilePath: "unconfined" for no
// filter (seccomp=unconfined, or --privileged without a profile),
// "default" for rl's default profile, else the profile's path.
func seccompProfile(sec config.Security) string {
	switch {
	case sec.Seccomp != "":
		return sec.Seccomp
	case sec.Privileged:
		return config.SeccompUnconfined
	}
	return "default"
}

package opts

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rl-containers/rl/rootless/config"
)

// Security are the confinement flags of rl run and rl create:
// --privileged, --cap-add, --cap-drop and --security-opt.
type Security struct {
	Privileged  bool
	CapAdd      []string
	CapDrop     []string
	SecurityOpt []string
}

// Parse checks the flags and returns the confinement they ask for.
func (f Security) Parse() (config.Security, error) {
	s := config.Security{Privileged: f.Privileged}
	var err error
	if s.CapAdd, err = capNames("--cap-add", f.CapAdd); err != nil {
		return s, err
	}
	if s.CapDrop, err = capNames("--cap-drop", f.CapDrop); err != nil {
		return s, err
	}
	if err := capConflict(s.CapAdd, s.CapDrop); err != nil {
		return s, err
	}
	for _, o := range f.SecurityOpt {
		if err := parseSecurityOpt(&s, o); err != nil {
			return s, err
		}
	}
	return s, nil
}

// parseSecurityOpt reads one --security-opt: podman's forms (KEY=VALUE,
// KEY:VALUE for docker's old spelling, no-new-privileges[=true|false]).
func parseSecurityOpt(s *config.Security, o string) error {
	key, value, hasValue := strings.Cut(o, "=")
	if !hasValue {
		key, value, hasValue = strings.Cut(o, ":")
	}
	bad := func(why string) error {
		return fmt.Errorf("invalid --security-opt %q: %s", o, why)
	}
	switch key {
	case "no-new-privileges":
		switch value {
		case "", "true":
			s.NoNewPrivileges = true
		case "false":
			s.NoNewPrivileges = false
		default:
			return bad("use no-new-privileges, no-new-privileges=true or =false")
		}
		return nil
	case "seccomp":
		switch value {
		case "":
			return bad("give seccomp=unconfined or seccomp=PROFILE.json")
		case config.SeccompUnconfined:
			s.Seccomp = value
		default:
			abs, err := filepath.Abs(value)
			if err != nil {
				return bad(err.Error())
			}
			s.Seccomp = abs
		}
		return nil
	case "mask", "unmask":
		if value == "" {
			return bad("give " + key + "=PATH[:PATH...]")
		}
		for _, p := range strings.Split(value, ":") {
			if p == config.UnmaskAll && key == "unmask" {
				s.Unmask = append(s.Unmask, p)
				continue
			}
			if !filepath.IsAbs(p) {
				return bad(fmt.Sprintf("%q is not an absolute path", p))
			}
			if key == "mask" {
				s.Mask = append(s.Mask, filepath.Clean(p))
			} else {
				s.Unmask = append(s.Unmask, filepath.Clean(p))
			}
		}
		return nil
	case "label", "apparmor":
		// SELinux labels and AppArmor profiles are the host's to apply to
		// rl's own processes; rootless, rl cannot load either.
		if !hasValue {
			return bad("want " + key + "=VALUE")
		}
		return nil
	}
	return bad("use no-new-privileges, seccomp=unconfined|PROFILE.json, mask=PATHS or unmask=PATHS|ALL")
}

// capNames normalises capability names (with or without CAP_, any case)
// to CAP_NAME, or ALL; a name the kernel does not know is an error.
func capNames(flag string, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			c := strings.ToUpper(strings.TrimSpace(part))
			if c == "ALL" {
				out = append(out, c)
				continue
			}
			if !strings.HasPrefix(c, "CAP_") {
				c = "CAP_" + c
			}
			if _, ok := config.CapabilityNumber(c); !ok {
				return nil, fmt.Errorf("invalid %s %q: not a capability (e.g. NET_ADMIN, CAP_SYS_PTRACE or ALL)", flag, part)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// capConflict refuses what podman refuses (containers/common
// capabilities.MergeCapabilities): ALL in both --cap-add and --cap-drop,
// or one capability in both, unless --cap-add is ALL.
func capConflict(add, drop []string) error {
	if slices.Contains(add, "ALL") {
		if slices.Contains(drop, "ALL") {
			return errors.New("--cap-add ALL and --cap-drop ALL contradict each other: give one of them")
		}
		return nil
	}
	for _, c := range add {
		if slices.Contains(drop, c) {
			return fmt.Errorf("capability %s is in both --cap-add and --cap-drop: give it in one of them", c)
		}
	}
	return nil
}

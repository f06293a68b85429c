package opts

import (
	"fmt"
	"path/filepath"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/userns"
)

// CheckName checks a --name, of a container or a pod, against docker's
// rule (config.ValidName).
func CheckName(name string) error {
	if !config.ValidName(name) {
		return fmt.Errorf("invalid --name %q: %s", name, config.NameRule)
	}
	return nil
}

// CheckHostname checks a --hostname: at most 64 bytes (the kernel's
// limit, HOST_NAME_MAX), letters, digits, '-' and '.'.
func CheckHostname(h string) error {
	if len(h) > 64 {
		return fmt.Errorf("invalid --hostname %q: longer than 64 characters", h)
	}
	for _, r := range h {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && r != '-' && r != '.' {
			return fmt.Errorf("invalid --hostname %q: use letters, digits, '-' and '.'", h)
		}
	}
	return nil
}

// CheckWorkdir checks a -w/--workdir: a path inside the container, so
// absolute ("" keeps the image's).
func CheckWorkdir(dir string) error {
	if dir != "" && !filepath.IsAbs(dir) {
		return fmt.Errorf("invalid --workdir %q: must be an absolute path", dir)
	}
	return nil
}

// ParseUserns parses a --userns mode: keep-id, or "" (also auto and
// private) for the default.
func ParseUserns(s string) (userns.Mode, error) {
	switch userns.Mode(s) {
	case userns.ModeDefault, "auto", "private":
		return userns.ModeDefault, nil
	case userns.ModeKeepID:
		return userns.ModeKeepID, nil
	}
	return "", fmt.Errorf("unknown --userns mode %q: use keep-id or leave it unset", s)
}

package opts

import (
	"fmt"
	"path/filepath"
	"strings"

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

// ParseUserns parses a --userns mode: keep-id, nomap, or "" (also auto
// and private) for the default.
func ParseUserns(s string) (userns.Mode, error) {
	switch userns.Mode(s) {
	case userns.ModeDefault, "auto", "private":
		return userns.ModeDefault, nil
	case userns.ModeKeepID, userns.ModeNoMap:
		return userns.Mode(s), nil
	}
	return "", fmt.Errorf("unknown --userns mode %q: use keep-id or nomap, or leave it unset", s)
}

// ParseIDMaps parses --uidmap and --gidmap values (CONTAINER:HOST:SIZE,
// also comma-separated); as podman, either stands for both when the
// other is not given. Nil when neither is.
func ParseIDMaps(uids, gids []string) (*userns.Level, error) {
	var l userns.Level
	var err error
	if l.UIDs, err = parseAll(splitCommas(uids), userns.ParseMap); err != nil {
		return nil, fmt.Errorf("--uidmap: %w", err)
	}
	if l.GIDs, err = parseAll(splitCommas(gids), userns.ParseMap); err != nil {
		return nil, fmt.Errorf("--gidmap: %w", err)
	}
	switch {
	case l.UIDs == nil && l.GIDs == nil:
		return nil, nil
	case l.UIDs == nil:
		l.UIDs = l.GIDs
	case l.GIDs == nil:
		l.GIDs = l.UIDs
	}
	return &l, nil
}

func splitCommas(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, strings.Split(v, ",")...)
	}
	return out
}

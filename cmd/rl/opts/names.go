package opts

import (
	"fmt"
	"path/filepath"
	"strconv"
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

// ParseUserns parses a --userns mode: keep-id, nomap, auto[:size=N]
// (size is then N, else 0: the image decides), or "" (also private) for
// the default.
func ParseUserns(s string) (mode userns.Mode, size uint32, err error) {
	name, options, _ := strings.Cut(s, ":")
	switch userns.Mode(name) {
	case userns.ModeDefault, "private", userns.ModeKeepID, userns.ModeNoMap:
		if options != "" {
			return "", 0, fmt.Errorf("--userns %s takes no options (%q)", name, options)
		}
		if name == "private" {
			name = ""
		}
		return userns.Mode(name), 0, nil
	case userns.ModeAuto:
		for _, o := range strings.Split(options, ",") {
			k, v, _ := strings.Cut(o, "=")
			switch {
			case o == "":
			case k == "size":
				n, err := strconv.ParseUint(v, 10, 32)
				if err != nil || n == 0 || n > userns.AutoMaxSize {
					return "", 0, fmt.Errorf("--userns auto:size=%s: want a number of ids from 1 to %d", v, userns.AutoMaxSize)
				}
				size = uint32(n)
			default:
				return "", 0, fmt.Errorf("--userns auto: option %q is not built; rl takes size=N (or give the maps with --uidmap)", o)
			}
		}
		return userns.ModeAuto, size, nil
	}
	return "", 0, fmt.Errorf("unknown --userns mode %q: use keep-id, nomap or auto, or leave it unset", s)
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

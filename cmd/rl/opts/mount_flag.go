package opts

import (
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

// ParseMount parses a --mount value, docker's comma list of KEY[=VALUE]:
// type=volume (the default), bind or tmpfs; source (src) and target
// (destination, dst); readonly (ro) with an optional true or false;
// volume-nocopy; tmpfs-size and tmpfs-mode; U (chown) and the words that
// do not apply here (relabel, bind-propagation, consistency).
func ParseMount(v string) (spec.Mount, error) {
	kind, src, dst := spec.Volume, "", ""
	m := spec.Mount{}
	noCopy := false
	var data []string
	for _, field := range strings.Split(v, ",") {
		key, value, hasValue := strings.Cut(field, "=")
		yes := !hasValue || value == "true" || value == "1"
		if hasValue && (key == "readonly" || key == "ro" || key == "volume-nocopy" || key == "U" || key == "chown") &&
			!yes && value != "false" && value != "0" {
			return spec.Mount{}, fmt.Errorf("invalid --mount %q: %s takes true or false", v, key)
		}
		switch key {
		case "type":
			kind = value
		case "source", "src":
			src = value
		case "target", "destination", "dst":
			dst = value
		case "readonly", "ro":
			m.ReadOnly = yes
		case "volume-nocopy":
			noCopy = yes
		case "U", "chown":
			m.Chown = yes
		case "tmpfs-size":
			data = append(data, "size="+value)
		case "tmpfs-mode":
			data = append(data, "mode="+value)
		case "relabel", "bind-propagation", "consistency", "z", "Z":
		default:
			if _, ok := mountFlags[field]; ok && !hasValue {
				if err := volumeOption(&m, &noCopy, field); err != nil {
					return spec.Mount{}, err
				}
				continue
			}
			return spec.Mount{}, fmt.Errorf("invalid --mount %q: unknown option %q", v, field)
		}
	}
	if !filepath.IsAbs(dst) || filepath.Clean(dst) == "/" || strings.Contains(dst, ":") {
		return spec.Mount{}, fmt.Errorf("invalid --mount %q: target must be an absolute path, not / and without ':'", v)
	}
	m.Destination = filepath.Clean(dst)
	switch kind {
	case "tmpfs":
		if src != "" || m.Chown || noCopy {
			return spec.Mount{}, fmt.Errorf("invalid --mount %q: a tmpfs takes no source, U or volume-nocopy", v)
		}
		m.Kind, m.Data = spec.Tmpfs, strings.Join(data, ",")
		m.Flags |= unix.MS_NOSUID | unix.MS_NODEV
		if m.ReadOnly {
			m.Flags, m.ReadOnly = m.Flags|unix.MS_RDONLY, false
		}
		return m, nil
	case "bind":
		if src == "" || !filepath.IsAbs(src) && !strings.HasPrefix(src, ".") {
			return spec.Mount{}, fmt.Errorf("invalid --mount %q: a bind needs source=HOST-PATH", v)
		}
	case "volume":
		if strings.HasPrefix(src, "/") || strings.HasPrefix(src, ".") {
			return spec.Mount{}, fmt.Errorf("invalid --mount %q: a volume's source is a volume name (type=bind binds a host path)", v)
		}
	default:
		return spec.Mount{}, fmt.Errorf("invalid --mount %q: type must be volume, bind or tmpfs", v)
	}
	if len(data) > 0 {
		return spec.Mount{}, fmt.Errorf("invalid --mount %q: tmpfs-size and tmpfs-mode apply to type=tmpfs", v)
	}
	m.Kind = spec.Bind
	if err := setSource(&m, src, noCopy); err != nil {
		return spec.Mount{}, fmt.Errorf("invalid --mount %q: %w", v, err)
	}
	return m, nil
}

// ParseVolumesFrom checks a --volumes-from value CONTAINER[:ro|rw|z].
func ParseVolumesFrom(v string) (string, error) {
	ctr, mode, _ := strings.Cut(v, ":")
	if ctr == "" {
		return "", fmt.Errorf("invalid --volumes-from %q: want CONTAINER[:ro|rw]", v)
	}
	if mode == "" {
		return v, nil
	}
	for _, o := range strings.Split(mode, ",") {
		switch o {
		case "ro", "rw", "z", "Z":
		default:
			return "", fmt.Errorf("invalid --volumes-from %q: unknown option %q (use ro or rw)", v, o)
		}
	}
	return v, nil
}

// CheckDestinations refuses two different mounts on one destination, as
// podman does ("duplicate mount destination"), and drops exact repeats.
func CheckDestinations(mounts []spec.Mount) ([]spec.Mount, error) {
	seen := map[string]spec.Mount{}
	var out []spec.Mount
	for _, m := range mounts {
		if prev, ok := seen[m.Destination]; ok {
			if prev != m {
				return nil, fmt.Errorf("%s: duplicate mount destination", m.Destination)
			}
			continue
		}
		seen[m.Destination] = m
		out = append(out, m)
	}
	return out, nil
}

// parseMounts parses -v, --mount and --tmpfs into the container's mounts,
// and checks --volumes-from.
func (f Run) parseMounts() ([]spec.Mount, []string, error) {
	volumes, err := parseAll(f.Volumes, ParseVolume)
	if err != nil {
		return nil, nil, err
	}
	mounts, err := parseAll(f.Mount, ParseMount)
	if err != nil {
		return nil, nil, err
	}
	tmpfs, err := parseAll(f.Tmpfs, ParseTmpfs)
	if err != nil {
		return nil, nil, err
	}
	from, err := parseAll(f.VolumesFrom, ParseVolumesFrom)
	if err != nil {
		return nil, nil, err
	}
	all, err := CheckDestinations(append(append(volumes, mounts...), tmpfs...))
	return all, from, err
}

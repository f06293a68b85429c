package opts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/spec"
)

// ParseVolume parses a -v/--volume value: HOST:CTR[:OPTIONS] binds a host
// path (absolute or starting with "."; it must exist), NAME:CTR[:OPTIONS]
// mounts the named volume NAME (made on its first use), and CTR alone an
// anonymous volume. OPTIONS is a comma list of ro, rw, U (give the
// content to the container's user), nocopy (a new volume is not filled
// from the image), the mount flags noexec, nosuid, nodev (and exec, suid,
// dev), and the propagation and SELinux words that docker accepts and
// that do not apply here (z, Z, private, rprivate, ...).
func ParseVolume(v string) (spec.Mount, error) {
	parts := strings.Split(v, ":")
	if len(parts) == 1 && filepath.IsAbs(v) {
		parts = []string{"", v}
	} else if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return spec.Mount{}, fmt.Errorf("invalid volume %q: want HOST-DIR:CONTAINER-DIR[:OPTIONS], VOLUME:CONTAINER-DIR[:OPTIONS] or CONTAINER-DIR", v)
	}
	src, dst := parts[0], parts[1]
	if !filepath.IsAbs(dst) || filepath.Clean(dst) == "/" {
		return spec.Mount{}, fmt.Errorf("invalid volume %q: container path %q must be absolute and not /", v, dst)
	}
	m := spec.Mount{Kind: spec.Bind, Destination: filepath.Clean(dst)}
	noCopy := false
	if len(parts) == 3 {
		for _, o := range strings.Split(parts[2], ",") {
			if err := volumeOption(&m, &noCopy, o); err != nil {
				return spec.Mount{}, fmt.Errorf("invalid volume %q: %w", v, err)
			}
		}
	}
	if err := setSource(&m, src, noCopy); err != nil {
		return spec.Mount{}, fmt.Errorf("invalid volume %q: %w", v, err)
	}
	return m, nil
}

// volumeOption applies one -v option word to m (nocopy to noCopy).
func volumeOption(m *spec.Mount, noCopy *bool, o string) error {
	if f, ok := mountFlags[o]; ok {
		if f.set {
			m.Flags |= f.flag
		} else {
			m.Flags &^= f.flag
		}
		return nil
	}
	switch o {
	case "ro":
		m.ReadOnly = true
	case "rw":
		m.ReadOnly = false
	case "U":
		m.Chown = true
	case "nocopy":
		*noCopy = true
	case "copy", "z", "Z", "private", "rprivate", "shared", "rshared", "slave", "rslave", "bind", "rbind":
	default:
		return fmt.Errorf("unknown option %q (use ro, rw, U, nocopy, noexec, nosuid, nodev, z or Z)", o)
	}
	return nil
}

// setSource makes m a bind of the host path src (absolute or starting with
// "."; it must exist), or a mount of the named volume src ("": a new
// anonymous one), which the first mount fills from the image unless the
// nocopy option said otherwise.
func setSource(m *spec.Mount, src string, noCopy bool) error {
	if src != "" && !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, ".") {
		if !config.ValidName(src) {
			return fmt.Errorf("invalid volume name %q: %s", src, config.NameRule)
		}
	}
	if src == "" || !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, ".") {
		m.Kind, m.Source, m.CopyUp = spec.Volume, src, !noCopy
		return nil
	}
	if noCopy {
		return errors.New("nocopy applies to volumes, not to host paths")
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("host path: %w", err)
	}
	m.Source = abs
	return nil
}

type mountFlag struct {
	set  bool
	flag uintptr
}

// mountFlags are the mount(2) flag words of -v, --mount and --tmpfs:
// whether the word sets or clears its flag.
var mountFlags = map[string]mountFlag{
	"noexec": {true, unix.MS_NOEXEC}, "exec": {false, unix.MS_NOEXEC},
	"nosuid": {true, unix.MS_NOSUID}, "suid": {false, unix.MS_NOSUID},
	"nodev": {true, unix.MS_NODEV}, "dev": {false, unix.MS_NODEV},
}

// ParseTmpfs parses a --tmpfs value PATH[:OPTIONS], with the options of
// tmpfs(5) (size=64m,mode=1777) and the mount flags ro, noexec, nosuid,
// nodev (and their opposites). Like docker, the default is
// rw,noexec,nosuid,nodev.
func ParseTmpfs(v string) (spec.Mount, error) {
	dst, opts, _ := strings.Cut(v, ":")
	if !filepath.IsAbs(dst) || filepath.Clean(dst) == "/" {
		return spec.Mount{}, fmt.Errorf("invalid --tmpfs %q: path must be absolute and not /", v)
	}
	m := spec.Mount{Kind: spec.Tmpfs, Destination: filepath.Clean(dst), Flags: unix.MS_NOEXEC | unix.MS_NOSUID | unix.MS_NODEV}
	var data []string
	for _, o := range strings.Split(opts, ",") {
		if o == "" {
			continue
		}
		f, ok := mountFlags[o]
		if o == "ro" || o == "rw" {
			f, ok = mountFlag{o == "ro", unix.MS_RDONLY}, true
		}
		if ok {
			if f.set {
				m.Flags |= f.flag
			} else {
				m.Flags &^= f.flag
			}
			continue
		}
		key, _, _ := strings.Cut(o, "=")
		switch key {
		case "size", "mode", "uid", "gid", "nr_inodes", "nr_blocks":
			data = append(data, o)
		default:
			return spec.Mount{}, fmt.Errorf("invalid --tmpfs %q: unknown option %q", v, o)
		}
	}
	m.Data = strings.Join(data, ",")
	return m, nil
}

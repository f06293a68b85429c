package opts

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

// ParseVolume parses a -v/--volume value HOST:CTR[:OPTIONS]. HOST must be a
// path (absolute or starting with "."); it must exist. OPTIONS is a comma
// list of ro, rw, and the propagation and SELinux words that docker accepts
// and that do not apply here (z, Z, private, rprivate, ...).
func ParseVolume(v string) (spec.Mount, error) {
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return spec.Mount{}, fmt.Errorf("invalid volume %q: want HOST-DIR:CONTAINER-DIR[:ro]", v)
	}
	src, dst := parts[0], parts[1]
	if !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, ".") {
		return spec.Mount{}, fmt.Errorf("invalid volume %q: named volumes are not supported yet; give a host path (absolute or ./relative)", v)
	}
	if !filepath.IsAbs(dst) || filepath.Clean(dst) == "/" {
		return spec.Mount{}, fmt.Errorf("invalid volume %q: container path %q must be absolute and not /", v, dst)
	}
	m := spec.Mount{Kind: spec.Bind, Destination: filepath.Clean(dst)}
	if len(parts) == 3 {
		for _, o := range strings.Split(parts[2], ",") {
			switch o {
			case "ro":
				m.ReadOnly = true
			case "rw", "z", "Z", "private", "rprivate", "slave", "rslave", "bind", "rbind":
			default:
				return spec.Mount{}, fmt.Errorf("invalid volume %q: unknown option %q (use ro or rw)", v, o)
			}
		}
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return spec.Mount{}, err
	}
	if _, err := os.Stat(abs); err != nil {
		return spec.Mount{}, fmt.Errorf("volume %q: host path: %w", v, err)
	}
	m.Source = abs
	return m, nil
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
	flagWords := map[string]struct {
		set  bool
		flag uintptr
	}{
		"ro": {true, unix.MS_RDONLY}, "rw": {false, unix.MS_RDONLY},
		"noexec": {true, unix.MS_NOEXEC}, "exec": {false, unix.MS_NOEXEC},
		"nosuid": {true, unix.MS_NOSUID}, "suid": {false, unix.MS_NOSUID},
		"nodev": {true, unix.MS_NODEV}, "dev": {false, unix.MS_NODEV},
	}
	var data []string
	for _, o := range strings.Split(opts, ",") {
		if o == "" {
			continue
		}
		if f, ok := flagWords[o]; ok {
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

package config

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// Container is what `rl run` was asked to do, flags already parsed.
type Container struct {
	// Rootfs is a root filesystem directory; without it, Image names the
	// image to run.
	Rootfs string
	Image  string
	// Pull is the pull policy for Image: missing, always or never.
	Pull     string
	Registry image.Options
	// Entrypoint replaces the image's when EntrypointSet (docker's
	// --entrypoint, where "" clears it).
	Entrypoint    []string
	EntrypointSet bool
	Command       []string
	Name          string
	Hostname      string
	Env           []string
	Workdir       string
	User          string
	Mounts        []spec.Mount
	ReadOnly      bool
	ReadOnlyTmpfs bool
	Remove        bool
	Interactive   bool
	TTY           bool
	Init          bool
	Userns        userns.Mode
	Net           Net
	Resources     cgroupsd.Resources
	Cgroups       cgroupsd.Options
	PreserveFDs   int
	Restart       Restart
	Health        Health
	// Pod is the pod to run in (--pod): a name or id, the pod's id once
	// created.
	Pod string
}

// args is the container's command line, docker's way: the entrypoint
// (--entrypoint, else the image's), then the command (the one given, else
// the image's Cmd unless --entrypoint replaced the entrypoint).
func (o Container) Args(img spec.ImageConfig) []string {
	entrypoint, cmd := img.Entrypoint, img.Cmd
	if o.EntrypointSet {
		entrypoint, cmd = o.Entrypoint, nil
	}
	if len(o.Command) > 0 {
		cmd = o.Command
	}
	return append(slices.Clone(entrypoint), cmd...)
}

// validate checks the options that need nothing but themselves.
func (o Container) Validate() error {
	if o.Rootfs == "" && o.Image == "" {
		return errors.New("no image or root filesystem given: rl run [OPTIONS] IMAGE [COMMAND...] or rl run [OPTIONS] --rootfs DIR COMMAND...")
	}
	switch o.Pull {
	case image.PullMissing, image.PullAlways, image.PullNever:
	default:
		return fmt.Errorf("invalid --pull %q: use missing, always or never", o.Pull)
	}
	if err := o.Net.Validate(); err != nil {
		return err
	}
	if o.Workdir != "" && !filepath.IsAbs(o.Workdir) {
		return fmt.Errorf("invalid --workdir %q: must be an absolute path", o.Workdir)
	}
	if err := CheckName(o.Name); err != nil {
		return err
	}
	return CheckHostname(o.Hostname)
}

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

// ParseEnv builds the -e/--env-file environment in docker's order: each
// env file's lines, then each -e. "KEY" alone takes KEY from lookup (the
// caller's environment) and is dropped when unset there.
func ParseEnv(envs, envFiles []string, lookup func(string) (string, bool)) ([]string, error) {
	var out []string
	add := func(kv, where string) error {
		key, _, hasValue := strings.Cut(kv, "=")
		if key == "" || strings.ContainsAny(key, " \t") {
			return fmt.Errorf("invalid environment variable %q%s: want KEY=VALUE or KEY", kv, where)
		}
		if hasValue {
			out = append(out, kv)
		} else if v, ok := lookup(key); ok {
			out = append(out, key+"="+v)
		}
		return nil
	}
	for _, path := range envFiles {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading env file: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimLeft(sc.Text(), " \t")
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if err := add(line, fmt.Sprintf(" in %s line %d", path, n)); err != nil {
				f.Close()
				return nil, err
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading env file %s: %w", path, err)
		}
	}
	for _, kv := range envs {
		if err := add(kv, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MergeEnv returns base with each KEY=VALUE of over replacing or adding to
// it, order kept.
func MergeEnv(base, over []string) []string {
	out := append([]string(nil), base...)
	index := map[string]int{}
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range over {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}

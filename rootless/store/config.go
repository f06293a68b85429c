package store

import (
	"github.com/docker/go-units"

	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ConfigPath is the user's rl configuration file:
// ${XDG_CONFIG_HOME:-~/.config}/rl/rl.conf, or /etc/rl/rl.conf for root.
func ConfigPath() string {
	if os.Getuid() == 0 {
		return "/etc/rl/rl.conf"
	}
	dir, _ := xdgDir("XDG_CONFIG_HOME", ".config")
	return filepath.Join(dir, "rl", "rl.conf")
}

// xdgDir is the base directory that the XDG variable env names, or its
// default below the home directory (XDG Base Directory Specification).
func xdgDir(env, underHome string) (string, error) {
	if dir := os.Getenv(env); dir != "" {
		return dir, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, underHome), nil
}

// ParseConfig reads "key = value" lines (blank lines and # comments
// skipped) into the store's settings, over s: root and runroot, as the
// --root and --runroot flags, mount_program (fuse-overlayfs), and the
// bounds of a pull: max_layer_file (the largest file a layer may unpack)
// and min_free (the space a pull must leave free). Unknown keys are
// errors, so that a typo is not silently ignored.
func ParseConfig(r io.Reader, name string, s Store) (Store, error) {
	sc := bufio.NewScanner(r)
	n := 1
	for ; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.Trim(strings.TrimSpace(value), `"`)
		if !ok || value == "" {
			return s, fmt.Errorf("%s line %d: want key = value", name, n)
		}
		// The key first: an unknown one is a typo whatever its value.
		var dst *string
		switch key {
		case "root":
			dst = &s.Root
		case "runroot":
			dst = &s.RunRoot
		case "mount_program":
			dst = &s.MountProgram
		case "max_layer_file", "min_free":
			size, err := units.RAMInBytes(value)
			if err != nil || size <= 0 {
				return s, fmt.Errorf("%s line %d: %s must be a size (e.g. 64g, 512m)", name, n, key)
			}
			if key == "max_layer_file" {
				s.MaxLayerFile = size
			} else {
				s.MinFree = size
			}
			continue
		default:
			return s, fmt.Errorf("%s line %d: unknown key %q (known: root, runroot, mount_program, max_layer_file, min_free)", name, n, key)
		}
		if !filepath.IsAbs(value) {
			return s, fmt.Errorf("%s line %d: %s must be an absolute path", name, n, key)
		}
		*dst = value
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return s, fmt.Errorf("%s line %d: longer than %d KiB, which no key = value line of rl.conf is: %w", name, n, bufio.MaxScanTokenSize>>10, err)
	} else if err != nil {
		return s, fmt.Errorf("%s: reading: %w", name, err)
	}
	return s, nil
}

// Configured is Default with the configuration file applied.
func Configured() (Store, error) {
	s, err := Default()
	if err != nil {
		return s, err
	}
	path := ConfigPath()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("reading the configuration: %w", err)
	}
	defer f.Close()
	return ParseConfig(f, path, s)
}

package store

import (
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
// --root and --runroot flags, and mount_program (fuse-overlayfs). Unknown keys are errors, so that a typo is
// not silently ignored.
func ParseConfig(r io.Reader, name string, s Store) (Store, error) {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.Trim(strings.TrimSpace(value), `"`)
		if !ok || value == "" {
			return s, fmt.Errorf("%s line %d: want key = value", name, n)
		}
		if !filepath.IsAbs(value) {
			return s, fmt.Errorf("%s line %d: %s must be an absolute path", name, n, key)
		}
		switch key {
		case "root":
			s.Root = value
		case "runroot":
			s.RunRoot = value
		case "mount_program":
			s.MountProgram = value
		default:
			return s, fmt.Errorf("%s line %d: unknown key %q (known: root, runroot, mount_program)", name, n, key)
		}
	}
	return s, sc.Err()
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

package cgroupsd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// applyCgroupfs makes the cgroup rl-ID below the parent (--cgroup-parent,
// else rl's own cgroup, which must be delegated to us), enables r's
// controllers for it, writes r's limits and moves pid in. cgroup v2 lets
// a cgroup hand controllers to its children only while it has no
// processes of its own ("no internal processes"), so the processes of the
// parent move to a leaf, rl-leaf, first; in a delegated subtree they are
// all ours.
func applyCgroupfs(pid int, r Resources, o Options) (*Cgroup, error) {
	parent := o.Parent
	if parent == "" {
		own, err := OwnCgroup("self")
		if err != nil {
			return nil, err
		}
		parent = own
	}
	parentDir := filepath.Join(root, parent)
	if err := enableControllers(parentDir, r.Controllers()); err != nil {
		return nil, err
	}
	path := filepath.Join(parent, "rl-"+o.ID[:12])
	dir := filepath.Join(root, path)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating cgroup %s: %w", path, err)
	}
	cg := &Cgroup{Manager: Cgroupfs, Path: path, Enforced: Available(path), release: func() { _ = os.Remove(dir) }}
	files, err := r.Files()
	if err == nil {
		err = writeFiles(dir, files, cg.Enforced)
	}
	if err == nil {
		err = writeFile(dir, "cgroup.procs", strconv.Itoa(pid))
	}
	if err != nil {
		cg.Release()
		return nil, err
	}
	return cg, nil
}

// enableControllers turns on the wanted controllers that dir has for its
// children. dir's own processes move to a leaf, rl-leaf, first: a domain
// controller (memory, io) cannot be enabled while dir has processes (EBUSY),
// and a threaded one (pids, cpu) can, but then dir becomes a thread root
// and no new child of it can take processes (EOPNOTSUPP).
func enableControllers(dir string, want []string) error {
	have := strings.Fields(readFile(dir, "cgroup.controllers"))
	var add []string
	for _, c := range want {
		if slices.Contains(have, c) {
			add = append(add, "+"+c)
		}
	}
	if len(add) == 0 {
		return nil
	}
	if procs := strings.Fields(readFile(dir, "cgroup.procs")); len(procs) > 0 {
		leaf := filepath.Join(dir, "rl-leaf")
		if err := os.Mkdir(leaf, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("creating %s: %w", leaf, err)
		}
		for _, p := range procs {
			// A process may exit meanwhile; the write below says whether
			// dir is empty enough.
			_ = writeFile(leaf, "cgroup.procs", p)
		}
	}
	return writeFile(dir, "cgroup.subtree_control", strings.Join(add, " "))
}

// writeFiles writes the limit files of the enforced controllers (the
// others are reported missing by Apply).
func writeFiles(dir string, files [][2]string, enforced []string) error {
	for _, f := range files {
		controller, _, _ := strings.Cut(f[0], ".")
		if !slices.Contains(enforced, controller) {
			continue
		}
		if err := writeFile(dir, f[0], f[1]); err != nil {
			return err
		}
	}
	return nil
}

func readFile(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	return string(b)
}

func writeFile(dir, name, value string) error {
	if err := os.WriteFile(filepath.Join(dir, name), []byte(value), 0); err != nil {
		return fmt.Errorf("writing %q to %s: %w", value, filepath.Join(dir, name), err)
	}
	return nil
}

package userns

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// ErrNoHelper is returned when newuidmap or newgidmap is not installed.
var ErrNoHelper = errors.New("not found in $PATH")

// HelperError is a failure of newuidmap or newgidmap, with what it printed.
type HelperError struct {
	Helper string
	Output string
	Err    error
}

func (e *HelperError) Error() string {
	msg := strings.TrimSpace(e.Output)
	if msg == "" {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("%s: %s", e.Helper, msg)
}

func (e *HelperError) Unwrap() error { return e.Err }

// WriteOuter writes the outer level of m, as ForCaller made it, for the
// process pid, which must be blocked in a fresh user namespace.
// Subordinate ranges go through the setuid newuidmap and newgidmap, run
// concurrently; a one-id map is written directly, which the kernel allows
// (user_namespaces(7): a process may map its own euid, after denying
// setgroups). Real root has no user namespace and no maps to write: m must
// not be Privileged.
func WriteOuter(pid int, m Mappings) error {
	if m.Single {
		return writeDirect(pid, m.Outer)
	}
	if m.newuidmap == "" || m.newgidmap == "" {
		return errors.New("writing maps: the newuidmap and newgidmap paths are unknown (mappings not from ForCaller)")
	}
	gidDone := make(chan error, 1)
	go func() { gidDone <- runHelper(m.newgidmap, pid, m.Outer.GIDs) }()
	uidErr := runHelper(m.newuidmap, pid, m.Outer.UIDs)
	return errors.Join(uidErr, <-gidDone)
}

func lookHelper(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", &HelperError{Helper: name, Err: ErrNoHelper}
	}
	return path, nil
}

func runHelper(path string, pid int, maps []IDMap) error {
	cmd := exec.Command(path, append([]string{strconv.Itoa(pid)}, Args(maps)...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return &HelperError{Helper: cmd.Args[0], Output: out.String(), Err: err}
	}
	return nil
}

// writeDirect writes one-id maps through /proc. It first writes "deny" to
// /proc/PID/setgroups, which an unprivileged writer must do before it may
// write gid_map.
func writeDirect(pid int, l Level) error {
	dir := "/proc/" + strconv.Itoa(pid)
	if err := os.WriteFile(dir+"/uid_map", []byte(Format(l.UIDs)), 0); err != nil {
		return fmt.Errorf("writing uid_map: %w", err)
	}
	if err := os.WriteFile(dir+"/setgroups", []byte("deny"), 0); err != nil {
		return fmt.Errorf("denying setgroups: %w", err)
	}
	if err := os.WriteFile(dir+"/gid_map", []byte(Format(l.GIDs)), 0); err != nil {
		return fmt.Errorf("writing gid_map: %w", err)
	}
	return nil
}

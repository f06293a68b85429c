package doctor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/fsoverlay"
	"github.com/rl-containers/rl/userns"
)

// envProbe makes rl a probe: "ns:DIR" mounts in the new user and mount
// namespaces it was started in, "wait" waits, unmapped, for its maps.
const envProbe = "_RL_DOCTOR_PROBE"

// probeError is an error that crossed from the probe: its text and errno.
type probeError struct {
	Msg   string `json:"msg"`
	Errno int    `json:"errno,omitempty"`
}

func (e *probeError) Error() string { return e.Msg }

// Unwrap lets errors.Is find the errno (unix.EPERM).
func (e *probeError) Unwrap() error {
	if e.Errno == 0 {
		return nil
	}
	return unix.Errno(e.Errno)
}

// toProbeError keeps err's text and errno, or is nil.
func toProbeError(err error) *probeError {
	if err == nil {
		return nil
	}
	var errno unix.Errno
	errors.As(err, &errno)
	return &probeError{Msg: err.Error(), Errno: int(errno)}
}

// nsProbe is what the namespace probe found: Clone, why no user
// namespace was made; Mount, why the probe could not mount a tmpfs
// inside (its capabilities are denied); Overlay, why the kernel's
// overlayfs refused the store's filesystem.
type nsProbe struct {
	Clone   error       `json:"-"`
	Mount   *probeError `json:"mount,omitempty"`
	Overlay *probeError `json:"overlay,omitempty"`
}

// probeNamespaces starts rl in a new user namespace (a mount namespace
// for root), mapped to the caller alone as the kernel allows without
// helpers, where it mounts a tmpfs and then an overlay whose upper and
// work dirs are on the store's filesystem, as a container's are.
func (h *Host) probeNamespaces() nsProbe {
	var p nsProbe
	if err := os.MkdirAll(h.Store.Root, 0o700); err != nil {
		p.Clone = err
		return p
	}
	dir, err := os.MkdirTemp(h.Store.Root, "doctor-")
	if err != nil {
		p.Clone = err
		return p
	}
	defer os.RemoveAll(dir)
	attr := &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNS, Pdeathsig: unix.SIGKILL}
	if !h.root() {
		attr.Cloneflags |= unix.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: h.UID, Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: h.GID, Size: 1}}
	}
	cmd := h.probeCommand("ns:" + dir)
	cmd.SysProcAttr = attr
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
		}
		p.Clone = err
		return p
	}
	if err := json.Unmarshal(out, &p); err != nil {
		p.Clone = fmt.Errorf("reading the probe's answer: %w", err)
	}
	return p
}

// probeCommand is rl itself, started as a probe.
func (h *Host) probeCommand(mode string) *exec.Cmd {
	cmd := exec.CommandContext(h.ctx, "/proc/self/exe")
	cmd.Args = []string{"rl-doctor-probe"}
	cmd.Env = append(os.Environ(), envProbe+"="+mode)
	return cmd
}

// mapsProbe is what newuidmap and newgidmap said when they were asked to
// write the caller's subordinate ranges for a fresh user namespace; Ran
// is false when rl would not run them (no ranges, real root).
type mapsProbe struct {
	Ran            bool
	UIDMap, GIDMap error
	Start          error
}

// probeMaps starts rl unmapped in a new user namespace and writes its
// maps as a container's are written (userns.WriteOuter).
func (h *Host) probeMaps() mapsProbe {
	if h.root() || h.mapsErr != nil || h.maps.Single {
		return mapsProbe{}
	}
	cmd := h.probeCommand("wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWUSER, Pdeathsig: unix.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return mapsProbe{Ran: true, Start: err}
	}
	if err := cmd.Start(); err != nil {
		return mapsProbe{Ran: true, Start: err}
	}
	p := mapsProbe{Ran: true}
	err = userns.WriteOuter(cmd.Process.Pid, h.maps)
	stdin.Close()
	_ = cmd.Wait()
	var joined interface{ Unwrap() []error }
	errs := []error{err}
	if errors.As(err, &joined) {
		errs = joined.Unwrap()
	}
	for _, e := range errs {
		var he *userns.HelperError
		if errors.As(e, &he) && filepath.Base(he.Helper) == "newgidmap" {
			p.GIDMap = e
		} else if e != nil {
			p.UIDMap = e
		}
	}
	return p
}

// MaybeRunProbe runs the probe when rl was started as one, and exits;
// it returns at once otherwise. main calls it first.
func MaybeRunProbe() {
	mode, ok := os.LookupEnv(envProbe)
	if !ok {
		return
	}
	if mode == "wait" {
		_, _ = io.Copy(io.Discard, os.Stdin) // the parent closes it once the maps are written
		os.Exit(0)
	}
	dir, ok := strings.CutPrefix(mode, "ns:")
	if !ok {
		fmt.Fprintln(os.Stderr, "rl: unknown probe", mode)
		os.Exit(125)
	}
	if err := json.NewEncoder(os.Stdout).Encode(childProbe(dir)); err != nil {
		os.Exit(125)
	}
	os.Exit(0)
}

// childProbe is the probe's half: a tmpfs mount, which needs the
// capabilities of the namespace's root, then an overlay on dir, with
// a file written, a lower one deleted (a whiteout) and a lower dir
// replaced (an opaque dir) through it.
func childProbe(dir string) nsProbe {
	var p nsProbe
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		p.Mount = toProbeError(fmt.Errorf("making / private: %w", err))
		return p
	}
	t := filepath.Join(dir, "tmpfs")
	if err := os.Mkdir(t, 0o700); err != nil {
		p.Mount = toProbeError(err)
		return p
	}
	p.Mount = toProbeError(fsoverlay.Mount("tmpfs", t, "tmpfs", 0, "size=16k"))
	if p.Mount != nil {
		return p
	}
	l := fsoverlay.Layers{Lower: []string{filepath.Join(dir, "lower")}, Upper: filepath.Join(dir, "upper"), Work: filepath.Join(dir, "work"), UserXattr: isUserNS()}
	merged := filepath.Join(dir, "merged")
	for _, d := range []string{l.Lower[0], l.Upper, l.Work, merged} {
		if err := os.Mkdir(d, 0o700); err != nil {
			p.Overlay = toProbeError(err)
			return p
		}
	}
	// a file to delete (a whiteout) and a dir to replace (an opaque dir,
	// which needs an xattr on the upper dir's filesystem)
	if err := os.MkdirAll(filepath.Join(l.Lower[0], "dir", "sub"), 0o700); err != nil {
		p.Overlay = toProbeError(err)
		return p
	}
	if err := os.WriteFile(filepath.Join(l.Lower[0], "old"), nil, 0o600); err != nil {
		p.Overlay = toProbeError(err)
		return p
	}
	if err := fsoverlay.MountOverlay(l, merged); err != nil {
		p.Overlay = toProbeError(err)
		return p
	}
	err := os.WriteFile(filepath.Join(merged, "new"), nil, 0o600)
	if err == nil {
		err = os.Remove(filepath.Join(merged, "old"))
	}
	if err == nil {
		err = os.RemoveAll(filepath.Join(merged, "dir"))
	}
	if err == nil {
		err = os.Mkdir(filepath.Join(merged, "dir"), 0o700)
	}
	p.Overlay = toProbeError(err)
	_ = unix.Unmount(merged, unix.MNT_DETACH)
	// overlayfs leaves work/work without permissions: open it for the
	// parent's removal.
	_ = os.Chmod(filepath.Join(l.Work, "work"), 0o700)
	return p
}

// isUserNS is true inside a user namespace other than the initial one.
func isUserNS() bool {
	b, err := os.ReadFile("/proc/self/uid_map")
	return err == nil && strings.Join(strings.Fields(string(b)), " ") != "0 0 4294967295"
}

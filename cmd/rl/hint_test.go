package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/fsoverlay"
	"github.com/rl-containers/rl/rootless/doctor"
	"github.com/rl-containers/rl/rootless/failure"
	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/kube"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/userns"
)

// fromImage is err as rl-image's answer carries it, with cause.
func fromImage(t *testing.T, err error, cause failure.Cause) error {
	t.Helper()
	var got *failure.Error
	b, _ := json.Marshal(failure.New(err, cause))
	if jerr := json.Unmarshal(b, &got); jerr != nil {
		t.Fatal(jerr)
	}
	return fmt.Errorf("pulling x: %w", got)
}

// fromMonitor is err as a detached container's monitor reports it.
func fromMonitor(t *testing.T, err error) error {
	t.Helper()
	b, _ := json.Marshal(monitor.NewResult(err))
	var r monitor.Result
	if jerr := json.Unmarshal(b, &r); jerr != nil {
		t.Fatal(jerr)
	}
	return r.Err()
}

func TestHint(t *testing.T) {
	addrInUse := fmt.Errorf("starting the slirp4netns network: publishing 80/tcp -> 127.0.0.1:8080: %w",
		&net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", unix.EADDRINUSE)})
	child := func(e *handshake.Error) error {
		return fmt.Errorf("building the root filesystem: %w", &launch.ExitError{Code: e.Code, Err: e})
	}
	tests := []struct {
		name string
		err  error
		want string // the hint's start; "" for none
		// detached: the failure can happen in a monitor's start, so its
		// hint must survive the way back to the front end.
		detached bool
	}{
		{"no newuidmap", fmt.Errorf("writing uid/gid maps: %w", userns.ErrNoHelper), "install newuidmap", true},
		{"malformed subuid", fmt.Errorf("reading /etc/subuid: %w", userns.ErrMalformed), "each line must be", true},
		{"newuidmap refused", &userns.HelperError{Helper: "newuidmap", Output: "not allowed", Err: errors.New("exit status 1")}, "newuidmap/newgidmap refused", true},
		{"no rl-init", fmt.Errorf("%w: /x/rl-init", launch.ErrNoInit), "rl, rl-init, rl-image and rl-kube", true},
		{"no rl-image", fmt.Errorf("%w: /x/rl-image", image.ErrNoHelper), "rl, rl-init, rl-image and rl-kube", false},
		{"no rl-kube", fmt.Errorf("%w: /x/rl-kube", kube.ErrNoHelper), "rl, rl-init, rl-image and rl-kube", false},
		{"bad kube yaml", fmt.Errorf("pod.yaml: %w", &kube.DecodeError{Doc: 1, Kind: "Pod", Path: "spec.x", Reason: "unknown field"}), "rl decodes the Kubernetes API", false},
		{"no slirp4netns", fmt.Errorf("starting the slirp4netns network: %w: slirp4netns is not on PATH", network.ErrNoBackend), "install it", true},
		{"no tun", fmt.Errorf("starting the slirp4netns network: %w", network.ErrNoTun), "user-mode networks need /dev/net/tun", true},
		{"port in use", addrInUse, "another process holds that host port", true},
		{"overlay", child(&handshake.Error{Op: "mounting", Msg: "invalid argument", Errno: int(unix.EINVAL), Code: 125, Cause: handshake.CauseOverlay}), "mounting overlayfs in a user namespace", true},
		{"denied in rl-init", child(&handshake.Error{Op: "mounting /proc", Msg: "operation not permitted", Errno: int(unix.EPERM), Code: 125}), "the kernel denied a privileged step", true},
		{"join refused", child(&handshake.Error{Op: opJoinNamespaces, Msg: "user: operation not permitted", Errno: int(unix.EPERM), Code: 125}), "the container's init process (or the pod's infra process) has moved", true},
		{"namespace limit", &launch.NamespaceError{Err: unix.ENOSPC}, "the per-user namespace limit", true},
		{"namespaces disabled", &launch.NamespaceError{Err: unix.EPERM}, "unprivileged user namespaces are disabled", true},
		{"namespaces denied", &launch.NamespaceError{Err: unix.EACCES}, "unprivileged user namespaces are disabled", true},
		{"foreign rootfs", &fsoverlay.ForeignError{Lower: "/srv/root", Dir: "/root", Err: unix.EACCES}, "make the tree yours", true},
		{"foreign rootfs in rl-init", child(&handshake.Error{Op: opBuildRootfs, Msg: "creating mount point /etc/hostname: value too large", Errno: int(unix.EOVERFLOW), Code: 125}),
			"the root filesystem may have files owned by an id outside", true},
		{"unknown", errors.New("something else"), "", true},
		// ENOSPC outside the image store is not the image store's.
		{"ENOSPC elsewhere", fmt.Errorf("saving the state: %w", unix.ENOSPC), "", true},
		{"connection refused elsewhere", fmt.Errorf("dialing the bus: %w", unix.ECONNREFUSED), "", true},

		{"unmapped ids", fromImage(t, errors.New("potentially insufficient UIDs or GIDs"), failure.IDsUnmapped), "the image has files owned by ids", false},
		{"registry unreachable", fromImage(t, fmt.Errorf("dial: %w", unix.ECONNREFUSED), failure.RegistryUnreachable), "nothing answers at the registry's address", false},
		{"manifest unknown", fromImage(t, errors.New("manifest unknown"), failure.ManifestUnknown), "the registry has no image of that name and tag", false},
		{"digest mismatch", fromImage(t, errors.New("Digest did not match"), failure.DigestMismatch), "the registry sent data that does not match", false},
		{"disk full", fromImage(t, fmt.Errorf("adding layer: %w", unix.ENOSPC), failure.DiskFull), "the image store's filesystem is full", true},
		{"not found", fromImage(t, errors.New("image not known"), failure.NotFound), "", false},
		{"auth", fromImage(t, errors.New("unauthorized"), failure.Auth), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(how string, err error) {
				got := hint(err)
				if tt.want == "" && got != "" || !strings.HasPrefix(got, tt.want) {
					t.Errorf("%s: hint(%v) = %q, want one starting %q", how, err, got, tt.want)
				}
			}
			check("here", tt.err)
			if tt.detached {
				back := fromMonitor(t, tt.err)
				check("from the monitor", back)
				if back.Error() != tt.err.Error() {
					t.Errorf("from the monitor: message %q, want %q", back, tt.err)
				}
			}
		})
	}
}

func TestHintSuffixOnce(t *testing.T) {
	err := fromMonitor(t, fmt.Errorf("writing uid/gid maps: %w", userns.ErrNoHelper))
	if got := hintSuffix(err); strings.Count(err.Error()+got, "(hint: ") != 1 {
		t.Errorf("%q%s: want exactly one hint", err, got)
	}
	if hintSuffix(errors.New("x")) != "" {
		t.Error("a hint for an unknown error")
	}
}

// TestHintJoinOp checks that the op the join hint keys on is the one
// rl-init's constructor reports when setns(2) fails.
func TestHintJoinOp(t *testing.T) {
	src, err := os.ReadFile("../rl-init/stage1.go")
	if err != nil {
		t.Fatal(err)
	}
	if want := `rl_fail(sync, "` + opJoinNamespaces + `", kinds[i]);`; !strings.Contains(string(src), want) {
		t.Errorf("cmd/rl-init/stage1.go has no %s: keep opJoinNamespaces the op of rl_join's setns failure", want)
	}
}

// TestHintUnmappedRange checks that the larger range suggested for an
// image's ids is free in the subordinate id files rl reads.
func TestHintUnmappedRange(t *testing.T) {
	dir := t.TempDir()
	subuid, subgid := dir+"/subuid", dir+"/subgid"
	if err := os.WriteFile(subuid, []byte("alice:100000:65536\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(subgid, []byte("bob:165536:1000000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RL_SUBUID_FILE", subuid)
	t.Setenv("RL_SUBGID_FILE", subgid)
	got := hint(fromImage(t, errors.New("potentially insufficient UIDs or GIDs"), failure.IDsUnmapped))
	if want := "sudo usermod --add-subuids 1165536-2165535 --add-subgids 1165536-2165535 $USER"; !strings.Contains(got, want) {
		t.Errorf("hint = %q, want it to suggest %q", got, want)
	}
}

// TestHintChecks: the checks the hints name are rl doctor's.
func TestHintChecks(t *testing.T) {
	b, err := os.ReadFile("hint.go")
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile(`doctorCheck\("([^"]+)"\)`).FindAllStringSubmatch(string(b), -1)
	if len(named) == 0 {
		t.Fatal("no hint names a check")
	}
	for _, m := range named {
		if !slices.Contains(doctor.IDs(), m[1]) {
			t.Errorf("a hint names %q, which rl doctor does not check", m[1])
		}
	}
}

// TestHintBuildRootfsOp checks that the op the root filesystem's hint
// keys on is the one rl-init reports for its building step.
func TestHintBuildRootfsOp(t *testing.T) {
	src, err := os.ReadFile("../../rootless/child/process.go")
	if err != nil {
		t.Fatal(err)
	}
	if want := `c.check(err, "` + opBuildRootfs + `")`; !strings.Contains(string(src), want) {
		t.Errorf("rootless/child/process.go has no %s: keep opBuildRootfs the op of buildRootfs's failures", want)
	}
}

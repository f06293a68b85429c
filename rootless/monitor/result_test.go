package monitor

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/failure"
	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/userns"
)

// across is err as the front end gets it back from the monitor: through
// NewResult, JSON and Err.
func across(t *testing.T, err error) error {
	t.Helper()
	b, jerr := json.Marshal(NewResult(err))
	if jerr != nil {
		t.Fatal(jerr)
	}
	var r Result
	if jerr := json.Unmarshal(b, &r); jerr != nil {
		t.Fatal(jerr)
	}
	return r.Err()
}

func TestResultNil(t *testing.T) {
	if err := across(t, nil); err != nil {
		t.Errorf("no failure came back as %v", err)
	}
}

func TestResultKeepsWhatHintsMatch(t *testing.T) {
	child := &handshake.Error{Op: "mounting the root", Msg: "operation not permitted", Errno: int(unix.EPERM), Code: 125, Cause: handshake.CauseOverlay}
	tests := []struct {
		name string
		err  error
		is   []error
		as   func(error) bool
	}{
		{name: "no newuidmap", err: fmt.Errorf("writing uid/gid maps: %w", userns.ErrNoHelper), is: []error{userns.ErrNoHelper}},
		{name: "malformed subuid", err: fmt.Errorf("reading /etc/subuid: line 1: %w", userns.ErrMalformed), is: []error{userns.ErrMalformed}},
		{
			name: "newuidmap refused", err: fmt.Errorf("writing uid/gid maps: %w", &userns.HelperError{Helper: "/usr/bin/newuidmap", Output: "not allowed", Err: errors.New("exit status 1")}),
			as: func(err error) bool { _, ok := errors.AsType[*userns.HelperError](err); return ok },
		},
		{name: "no rl-init", err: fmt.Errorf("%w: /x/rl-init", launch.ErrNoInit), is: []error{launch.ErrNoInit}},
		{name: "no slirp4netns", err: fmt.Errorf("starting the slirp4netns network: %w", network.ErrNoBackend), is: []error{network.ErrNoBackend}},
		{name: "no tun", err: fmt.Errorf("starting the slirp4netns network: %w", network.ErrNoTun), is: []error{network.ErrNoTun}},
		{name: "port in use", err: fmt.Errorf("publishing 80/tcp: listen tcp: bind: %w", unix.EADDRINUSE), is: []error{unix.EADDRINUSE}},
		{
			name: "namespace limit", err: &launch.NamespaceError{Err: unix.ENOSPC}, is: []error{unix.ENOSPC},
			as: func(err error) bool { _, ok := errors.AsType[*launch.NamespaceError](err); return ok },
		},
		{
			name: "rl-init's overlay", err: fmt.Errorf("building the root filesystem: %w", &launch.ExitError{Code: 125, Err: child}), is: []error{unix.EPERM},
			as: func(err error) bool {
				c, ok := errors.AsType[*handshake.Error](err)
				return ok && c.Cause == handshake.CauseOverlay && c.Errno == int(unix.EPERM)
			},
		},
		{name: "rl-image's cause", err: fmt.Errorf("resolving: %w", failure.New(errors.New("full"), failure.DiskFull)), is: []error{failure.DiskFull}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := across(t, tt.err)
			if got.Error() != tt.err.Error() {
				t.Errorf("message %q, want %q", got, tt.err)
			}
			for _, target := range tt.is {
				if !errors.Is(got, target) {
					t.Errorf("%v is not %v", got, target)
				}
			}
			if tt.as != nil && !tt.as(got) {
				t.Errorf("%v lost its type", got)
			}
		})
	}
}

func TestResultCodes(t *testing.T) {
	err := across(t, &launch.ExitError{Code: 127, Err: errors.New("executing nope: not found")})
	if launch.ExitCode(err) != 127 {
		t.Errorf("exit code %d, want 127", launch.ExitCode(err))
	}
	if launch.ExitCode(across(t, errors.New("x"))) != 125 {
		t.Error("rl's own failure is not 125")
	}
}

func TestResultDoesNotInvent(t *testing.T) {
	// A namespace failure is no failure of rl-init's: the hint for a
	// privileged step denied inside the namespace must not fire.
	got := across(t, &launch.NamespaceError{Err: unix.EPERM})
	if _, ok := errors.AsType[*handshake.Error](got); ok {
		t.Error("a namespace failure came back as rl-init's")
	}
	got = across(t, errors.New("plain"))
	for _, sc := range startCauses {
		if sc.is(got) {
			t.Errorf("a plain failure came back as %s", sc.cause)
		}
	}
}

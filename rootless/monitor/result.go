package monitor

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/fsoverlay"
	"github.com/rl-containers/rl/rootless/failure"
	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/userns"
)

// Result is what a detached container's monitor reports on fd 3 once the
// container's command runs, or failed to start: nothing, or the failure
// with rl's exit code for it. The failure travels as data (see package
// failure) and comes back as an error on which errors.Is and errors.As
// find what they would on the monitor's, so that the front end gives the
// hint it would give for a start in the foreground.
type Result struct {
	Error *failure.Error `json:"error,omitempty"`
	// Child is rl-init's report, when the failure was rl-init's (the
	// handshake's Failed message).
	Child *handshake.Error `json:"child,omitempty"`
	Code  int              `json:"code,omitempty"`
}

// startCause is a failure to start that the front end knows by its
// error's type or value (cmd/rl's hints do).
type startCause struct {
	cause failure.Cause
	is    func(error) bool
	// value is the error the front end's error wraps for it, given the
	// errno that came with it (or nil).
	value func(errno error) error
}

// Causes of a failed start the front end tells apart by type, the
// monitor's codes for them. Only the monitor and its front end see these.
const (
	causeNoIDMapHelper = "no-idmap-helper"
	causeSubIDSyntax   = "subid-malformed"
	causeIDMapRefused  = "idmap-refused"
	causeNoInit        = "no-init"
	causeNoBackend     = "no-network-backend"
	causeNoTun         = "no-tun"
	causeNamespace     = "namespace"
	causeForeignRootfs = "foreign-rootfs"
)

// sentinel is the cause c of errors that are target.
func sentinel(c failure.Cause, target error) startCause {
	return startCause{c, func(err error) bool { return errors.Is(err, target) }, func(error) error { return target }}
}

// typed is the cause c of errors of type T; rebuild makes the front end's
// T.
func typed[T error](c failure.Cause, rebuild func(errno error) T) startCause {
	return startCause{c,
		func(err error) bool { _, ok := errors.AsType[T](err); return ok },
		func(errno error) error { return rebuild(errno) }}
}

// startCauses are tried in order: the first that err is, is its cause.
var startCauses = []startCause{
	sentinel(causeNoIDMapHelper, userns.ErrNoHelper),
	sentinel(causeSubIDSyntax, userns.ErrMalformed),
	typed(causeIDMapRefused, func(errno error) *userns.HelperError { return &userns.HelperError{Err: errno} }),
	sentinel(causeNoInit, launch.ErrNoInit),
	sentinel(causeNoBackend, network.ErrNoBackend),
	sentinel(causeNoTun, network.ErrNoTun),
	typed(causeNamespace, func(errno error) *launch.NamespaceError { return &launch.NamespaceError{Err: errno} }),
	typed(causeForeignRootfs, func(errno error) *fsoverlay.ForeignError { return &fsoverlay.ForeignError{Err: errno} }),
}

// NewResult is the monitor's report of err (nil: the command runs).
func NewResult(err error) Result {
	if err == nil {
		return Result{}
	}
	r := Result{Code: launch.ExitCode(err)}
	var c failure.Cause
	for _, sc := range startCauses {
		if sc.is(err) {
			c = sc.cause
			break
		}
	}
	if c == "" {
		// A cause that came from further away (rl-image's).
		errors.As(err, &c)
	}
	r.Error = failure.New(err, c)
	if child, ok := errors.AsType[*handshake.Error](err); ok {
		r.Child = child
	}
	return r
}

// Err is the failure r reports, or nil: the monitor's message, as an
// error that wraps the errno, the cause and what the cause stands for,
// rl-init's report when the failure was its, and r's exit code
// (launch.ExitError).
func (r Result) Err() error {
	if r.Error == nil {
		return nil
	}
	var errno error = unix.Errno(r.Error.Errno)
	if r.Error.Errno == 0 {
		errno = errors.New(r.Error.Msg)
	}
	var also []error
	for _, sc := range startCauses {
		if sc.cause == r.Error.Cause {
			also = append(also, sc.value(errno))
		}
	}
	if r.Child != nil {
		also = append(also, r.Child)
	}
	return &launch.ExitError{Code: r.Code, Err: r.Error.Also(also...)}
}

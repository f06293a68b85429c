// Package failure is an error as it crosses one of rl's process
// boundaries: rl-image's answer to the front end, and a detached
// container's monitor's report of a failed start. The sender turns its
// error into data (the message, the errno when there is one, a stable
// cause code); the receiver turns that back into an error on which
// errors.Is finds the errno and the cause, and, where the receiver knows
// what the cause stands for, its own error values too. The front end's
// hints match those, never the text. rl-init's Failed message
// (handshake.Error) carries the same fields. Every rl process links this
// package, so it imports nothing heavy.
package failure

import (
	"errors"

	"golang.org/x/sys/unix"
)

// Cause is a stable code for a known cause of a failure. It is an error
// itself: the sentinel that errors.Is finds in an Error with that cause.
type Cause string

func (c Cause) Error() string { return string(c) }

// The causes rl-image reports (cmd/rl-image finds them in the errors of
// containers/image, containers/storage and the kernel).
const (
	// NotFound: the image is not in the store.
	NotFound Cause = "not-found"
	// DiskFull: the image store's filesystem is full (ENOSPC).
	DiskFull Cause = "disk-full"
	// IDsUnmapped: a layer has a file owned by an id outside the user
	// namespace's map (chown(2) fails with EINVAL).
	IDsUnmapped Cause = "ids-unmapped"
	// DigestMismatch: a blob does not match the digest it was asked by.
	DigestMismatch Cause = "digest-mismatch"
	// ManifestUnknown: the registry has no manifest of that name and tag.
	ManifestUnknown Cause = "manifest-unknown"
	// Auth: the registry refused the credentials, or wants some.
	Auth Cause = "auth"
	// TLS: the registry's certificate or TLS handshake failed.
	TLS Cause = "tls"
	// RegistryUnreachable: nothing answers at the registry's address
	// (connection refused, no route to it).
	RegistryUnreachable Cause = "registry-unreachable"
)

// Error is a failure as one process reports it to another.
type Error struct {
	// Msg is the sender's whole message; Error returns it unchanged.
	Msg string `json:"msg"`
	// Errno is the first errno in the sender's error chain, or 0.
	Errno int   `json:"errno,omitempty"`
	Cause Cause `json:"cause,omitempty"`
	// also are the receiver's own error values that the failure stands
	// for (see Also); they never travel.
	also []error
}

// New is err as its process reports it, with cause ("" for none).
func New(err error, cause Cause) *Error {
	return &Error{Msg: err.Error(), Errno: int(ErrnoOf(err)), Cause: cause}
}

// ErrnoOf is the first errno in err's chain, or 0.
func ErrnoOf(err error) unix.Errno {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return 0
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the errno, the cause and the values added with Also, so
// that errors.Is(err, unix.ENOSPC) and errors.Is(err, failure.DiskFull)
// work on the receiving side as they would on the sender's.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Errno != 0 {
		errs = append(errs, unix.Errno(e.Errno))
	}
	if e.Cause != "" {
		errs = append(errs, e.Cause)
	}
	return append(errs, e.also...)
}

// Also returns a copy of e in whose chain errors.Is and errors.As also
// find errs: the receiver's values for what e's cause means (an image
// client's ErrNotFound, say). The message stays e's.
func (e *Error) Also(errs ...error) *Error {
	c := *e
	c.also = append(append([]error(nil), e.also...), errs...)
	return &c
}

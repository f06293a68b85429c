package network

import (
	"errors"
	"fmt"
	"os"
)

// ErrNoTun marks a user-mode network that did not start where
// /dev/net/tun cannot be opened: slirp4netns and pasta make the
// container's tap0 with it.
var ErrNoTun = errors.New("/dev/net/tun is not usable")

// tunPath is the tun device's clone node; tests replace it.
var tunPath = "/dev/net/tun"

// tunError is a helper's start-up failure found to be the tun device's.
type tunError struct {
	err    error // the helper's failure, which is the message
	tunErr error // why /dev/net/tun did not open
}

func (e *tunError) Error() string { return e.err.Error() }

// Unwrap returns the helper's failure, ErrNoTun, and the open(2) error,
// whose errno (EACCES, ENOENT) says which of mode and module is missing.
func (e *tunError) Unwrap() []error { return []error{e.err, ErrNoTun, e.tunErr} }

// checkTun looks at /dev/net/tun after the user-mode network's helper
// failed with err: when this process cannot open it either, the failure
// is the device's, and the error says so to errors.Is (ErrNoTun). The
// helpers open it with the caller's rights (the user namespace's root
// has no rights over a node owned by unmapped root), so this open fails
// where theirs did. Opening the clone node makes no device until
// TUNSETIFF.
func checkTun(err error) error {
	if err == nil || errors.Is(err, ErrNoBackend) {
		return err
	}
	f, openErr := os.OpenFile(tunPath, os.O_RDWR, 0)
	if openErr == nil {
		f.Close()
		return err
	}
	return &tunError{err: err, tunErr: fmt.Errorf("opening %s: %w", tunPath, openErr)}
}

package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"testing"

	"github.com/docker/distribution/registry/api/errcode"
	v2 "github.com/docker/distribution/registry/api/v2"
	"go.podman.io/image/v5/docker"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/failure"
	"github.com/rl-containers/rl/rootless/image/backend"
)

// registryError is a registry's error code as containers/image wraps it
// (docker.registryHTTPResponseToError, then the operation's context).
func registryError(code errcode.ErrorCode) error {
	e := code.WithMessage(code.Message())
	return fmt.Errorf("reading manifest nosuchtag in 127.0.0.1:5000/rl-test/busybox: %w", fmt.Errorf("%s%.0w", e.Message, e))
}

func TestCauseOf(t *testing.T) {
	refused := &url.Error{Op: "Get", URL: "https://127.0.0.1:1/v2/", Err: &net.OpError{
		Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", unix.ECONNREFUSED),
	}}
	tests := []struct {
		name string
		err  error
		want failure.Cause
	}{
		{"nil", nil, ""},
		{"other", errors.New("something else"), ""},
		{"not in the store", fmt.Errorf("%w: docker.io/library/nosuch:latest", backend.ErrNotFound), failure.NotFound},
		{"ENOSPC from the untar child", fmt.Errorf("pulling x: writing blob: adding layer with blob \"sha256:a\": %w", unix.ENOSPC), failure.DiskFull},
		{"ENOSPC writing a blob file", fmt.Errorf("storing blob to file %q: %w", "/s/f", &fs.PathError{Op: "write", Path: "/s/f", Err: unix.ENOSPC}), failure.DiskFull},
		{"chown EINVAL in this process", fmt.Errorf("potentially insufficient UIDs or GIDs available in user namespace (requested 0:42 for /etc/shadow): %w",
			&fs.PathError{Op: "lchown", Path: "/etc/shadow", Err: unix.EINVAL}), failure.IDsUnmapped},
		{"chown EINVAL in storage's untar child", errors.New(`unpacking failed (error: exit status 1; output: potentially insufficient UIDs or GIDs available in user namespace (requested 0:42 for /etc/shadow): Check /etc/subuid and /etc/subgid if configured locally and run "podman system migrate": lchown /etc/shadow: invalid argument)`), failure.IDsUnmapped},
		{"another EINVAL", &fs.PathError{Op: "open", Path: "/x", Err: unix.EINVAL}, ""},
		{"digest mismatch", fmt.Errorf("writing blob: happened during read: %w", errors.New("Digest did not match, expected sha256:a, got sha256:b")), failure.DigestMismatch},
		{"manifest unknown", registryError(v2.ErrorCodeManifestUnknown), failure.ManifestUnknown},
		{"another registry error", registryError(v2.ErrorCodeBlobUnknown), ""},
		{"connection refused", fmt.Errorf("pinging container registry 127.0.0.1:1: %w", refused), failure.RegistryUnreachable},
		{"no route", os.NewSyscallError("connect", unix.EHOSTUNREACH), failure.RegistryUnreachable},
		{"401", docker.ErrUnauthorizedForCredentials{Err: errors.New("denied")}, failure.Auth},
		{"UNAUTHORIZED", registryError(errcode.ErrorCodeUnauthorized), failure.Auth},
		{"DENIED", registryError(errcode.ErrorCodeDenied), failure.Auth},
		{"403", fmt.Errorf("fetching blob: %w", docker.UnexpectedHTTPStatusError{StatusCode: 403}), failure.Auth},
		{"500", docker.UnexpectedHTTPStatusError{StatusCode: 500}, ""},
		{"unknown CA", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, failure.TLS},
		{"wrong host", fmt.Errorf("x: %w", x509.HostnameError{Host: "r"}), failure.TLS},
		{"not TLS", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, failure.TLS},
		// A short name tried on two registries (shortnames.FormatPullErrors):
		// the first cause in the front end's order.
		{"several candidates", fmt.Errorf("2 errors occurred while pulling:\n * %w\n * %w", registryError(v2.ErrorCodeManifestUnknown), refused), failure.RegistryUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := causeOf(tt.err); got != tt.want {
				t.Errorf("causeOf(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

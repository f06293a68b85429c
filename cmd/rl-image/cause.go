package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io/fs"
	"net/http"
	"strings"

	"github.com/docker/distribution/registry/api/errcode"
	v2 "github.com/docker/distribution/registry/api/v2"
	"go.podman.io/image/v5/docker"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/failure"
	"github.com/rl-containers/rl/rootless/image/backend"
)

// causeOf names the known cause of err, a failed operation on the store
// or a registry, for the front end (see package failure); "" when there
// is none. It goes by the error types of containers/image,
// containers/storage and the kernel, except where those libraries give
// the cause no type (textCause). One error may hold several causes (a
// short name tried on several registries): the first in causes wins.
func causeOf(err error) failure.Cause {
	if err == nil {
		return ""
	}
	for _, c := range causes {
		if c.is(err) {
			return c.cause
		}
	}
	return ""
}

// causes are tried in order; it is the order of the front end's hints.
var causes = []struct {
	cause failure.Cause
	is    func(error) bool
}{
	{failure.NotFound, func(err error) bool { return errors.Is(err, backend.ErrNotFound) }},
	{failure.IDsUnmapped, func(err error) bool { return isChownEINVAL(err) || textCause(err) == failure.IDsUnmapped }},
	{failure.RegistryUnreachable, isUnreachable},
	{failure.ManifestUnknown, isManifestUnknown},
	{failure.DigestMismatch, func(err error) bool { return textCause(err) == failure.DigestMismatch }},
	// storage's untar child exits 2 on ENOSPC, which its parent returns
	// as unix.ENOSPC; a blob file fails with an fs.PathError.
	{failure.DiskFull, func(err error) bool { return errors.Is(err, unix.ENOSPC) }},
	{failure.Auth, isAuth},
	{failure.TLS, isTLS},
}

// isUnreachable is a registry that refuses the connection or that no
// route leads to.
func isUnreachable(err error) bool {
	return errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.EHOSTUNREACH) || errors.Is(err, unix.ENETUNREACH)
}

// isChownEINVAL is true for chown(2) refusing an id that the user
// namespace does not map, where storage applies a layer in its own
// process (containers/storage pkg/idtools checkChownErr).
func isChownEINVAL(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && strings.Contains(pe.Op, "chown") && errors.Is(pe.Err, unix.EINVAL)
}

// isManifestUnknown is containers/image's own test
// (docker.isManifestUnknownError): the registry's error code
// MANIFEST_UNKNOWN.
func isManifestUnknown(err error) bool {
	var ec errcode.ErrorCoder
	return errors.As(err, &ec) && ec.ErrorCode() == v2.ErrorCodeManifestUnknown
}

// isAuth is a registry's 401 (docker.ErrUnauthorizedForCredentials), its
// UNAUTHORIZED or DENIED error codes, or an HTTP status 401 or 403.
func isAuth(err error) bool {
	var unauthorized docker.ErrUnauthorizedForCredentials
	var ec errcode.ErrorCoder
	var status docker.UnexpectedHTTPStatusError
	switch {
	case errors.As(err, &unauthorized):
		return true
	case errors.As(err, &ec):
		return ec.ErrorCode() == errcode.ErrorCodeUnauthorized || ec.ErrorCode() == errcode.ErrorCodeDenied
	case errors.As(err, &status):
		return status.StatusCode == http.StatusUnauthorized || status.StatusCode == http.StatusForbidden
	}
	return false
}

// isTLS is a certificate that does not verify, or a TLS handshake with
// something that does not speak TLS.
func isTLS(err error) bool {
	var unknownCA x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var verification *tls.CertificateVerificationError
	var header tls.RecordHeaderError
	return errors.As(err, &unknownCA) || errors.As(err, &invalid) || errors.As(err, &hostname) ||
		errors.As(err, &verification) || errors.As(err, &header)
}

// textCause is the cause of a failure that the libraries report as text
// only, by the text they write, in this one place:
//   - containers/image's copy/digesting_reader.go returns a blob's digest
//     mismatch as fmt.Errorf("Digest did not match, expected %s, got %s");
//   - containers/storage applies a layer in a child process
//     (pkg/chrootarchive, storage-untar) and returns its failure as that
//     child's output, which for an unmapped id is pkg/idtools's
//     "potentially insufficient UIDs or GIDs available in user namespace".
func textCause(err error) failure.Cause {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Digest did not match"):
		return failure.DigestMismatch
	case strings.Contains(msg, "insufficient UIDs or GIDs"):
		return failure.IDsUnmapped
	}
	return ""
}

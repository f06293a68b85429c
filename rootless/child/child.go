// Package child is rl-init: the half of rl that runs inside the container's
// namespaces. The front end clones it into new namespaces with its end of
// the sync socket; it waits for the uid/gid maps, re-executes itself to gain
// its capabilities in the new user namespace, builds the root filesystem,
// pivots into it and executes the command (or, with --init, runs it as a
// child and reaps). It links only the standard library, x/sys and small rl
// packages, because every container start pays for its init.
package child

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/network/tap"
	"github.com/rl-containers/rl/rootless/spec"
)

func init() {
	// Credentials set with capset(2), the controlling terminal and the final
	// execve(2) are per thread: keep all of rl-init on the main thread.
	runtime.LockOSThread()
}

// Main is rl-init's main function; begun is the variant that rl-init's
// C constructor read from the front end's Begin message and carried out
// ("" when it did not: after rl-init's own re-exec, or without cgo). It
// never returns.
func Main(begun string) {
	fd, err := strconv.Atoi(os.Getenv(handshake.EnvSyncFD))
	if err != nil {
		fmt.Fprintln(os.Stderr, "rl-init: this program is started by rl; run rl instead")
		os.Exit(125)
	}
	c := &conn{fd: fd}
	v := handshake.Variant(begun)
	if v == "" {
		v = handshake.Variant(os.Getenv(handshake.EnvStage))
	}
	if v == "" {
		v, err = awaitBegin(c)
		c.check(err, "waiting for the uid/gid maps")
	}
	if v == handshake.VariantExec {
		joinMain(c)
	}
	// Our parent death signal did not survive the exec that gave us
	// capabilities; without it a killed front end would leave us running.
	c.check(unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0), "setting parent death signal")
	m, _, err := handshake.Recv(fd)
	if errors.Is(err, io.EOF) {
		// The front end gave up on this start before the spec (its
		// network failed, say): it says why itself.
		os.Exit(125)
	}
	c.check(err, "reading the container spec")
	switch m.Kind {
	case handshake.Remove:
		for _, p := range m.Paths {
			c.check(os.RemoveAll(p), "removing "+p)
		}
		os.Exit(0)
	case handshake.Start:
		nested := v == handshake.VariantNested
		if ownsNetwork(m.Spec) && !nested {
			// With keep-id the outer rl-init owns the network namespace.
			c.check(tap.Configure(m.Spec), "configuring the network")
		}
		if m.Spec.Nested != nil && !nested {
			root, binds, err := mountNestedRoot(m.Spec)
			if err != nil {
				c.fail(125, "building the root filesystem", err)
			}
			os.Exit(runNested(c, m.Spec, root, binds))
		}
		if m.Spec.Infra {
			os.Exit(holdNamespaces(c, m.Spec))
		}
		start(c, m.Spec)
	}
	c.fail(125, "reading the container spec", fmt.Errorf("unexpected %q message", m.Kind))
}

// ownsNetwork is true when the container's network namespace is rl-init's
// own to configure: not the host's, nor one it joined (a pod's, another
// container's).
func ownsNetwork(s *spec.Spec) bool {
	switch s.Network {
	case "host", spec.PodNetwork, spec.ContainerNetwork:
		return false
	}
	return true
}

// holdNamespaces is a pod's infra process: with the network up, it names
// the host and then waits for SIGTERM (or SIGINT), holding the pod's
// namespaces for its containers.
func holdNamespaces(c *conn, s *spec.Spec) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT)
	c.check(unix.Sethostname([]byte(s.Hostname)), "setting the hostname")
	c.check(handshake.Send(c.fd, handshake.Message{Kind: handshake.Exec}), "reporting the start")
	unix.Close(c.fd)
	<-sigs
	return 0
}

// joinMain is rl exec's process, which rl-init's constructor moved into
// the container's namespaces: it becomes the command. It never returns.
func joinMain(c *conn) {
	m, _, err := handshake.Recv(c.fd)
	c.check(err, "reading the command")
	if m.Kind != handshake.Start || m.Spec == nil {
		c.fail(125, "reading the command", fmt.Errorf("unexpected %q message", m.Kind))
	}
	execute(c, m.Spec)
}

// awaitBegin is the path of an rl-init built without cgo, whose C
// constructor did not read the front end's Begin message: it reads it and,
// for the variants with maps, executes rl-init again. The first exec
// happened in the new user namespace before it had maps, when our uid was
// unmapped, so execve(2) dropped every capability; now that we are uid 0
// inside, an exec gives us the full set (capabilities(7), "Capabilities
// and execution of programs by root"). It returns the variant when no
// exec is needed.
func awaitBegin(c *conn) (handshake.Variant, error) {
	m, _, err := handshake.Recv(c.fd)
	if err != nil {
		return "", err
	}
	switch {
	case m.Kind != handshake.Begin:
		return "", fmt.Errorf("unexpected %q message", m.Kind)
	case m.Variant == handshake.VariantPrivileged:
		return m.Variant, nil
	case m.Variant.Joins() || m.Variant == handshake.VariantHolder:
		return "", errors.New("this rl-init was built without cgo, and only its C part can join or hold a user namespace: rebuild rl with a C compiler")
	}
	if err := os.Setenv(handshake.EnvStage, string(m.Variant)); err != nil {
		return "", err
	}
	// Exec the binary by its name, not as /proc/self/exe, so that ps and
	// /proc/1/comm show "rl-init".
	self, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return "", err
	}
	return "", unix.Exec(self, os.Args, os.Environ())
}

// conn is rl-init's end of the sync socket.
type conn struct{ fd int }

// check reports err to the front end as a failure of op and exits, when err
// is not nil.
func (c *conn) check(err error, op string) {
	if err != nil {
		c.fail(125, op, err)
	}
}

// fail reports a failure of op with exit code and exits.
func (c *conn) fail(code int, op string, err error) {
	e := &handshake.Error{Op: op, Msg: err.Error(), Code: code}
	var overlayErr *OverlayError
	if errors.As(err, &overlayErr) {
		e.Cause = handshake.CauseOverlay
	}
	var errno unix.Errno
	if errors.As(err, &errno) {
		e.Errno = int(errno)
	}
	if sendErr := handshake.Send(c.fd, handshake.Message{Kind: handshake.Failed, Error: e}); sendErr != nil {
		fmt.Fprintf(os.Stderr, "rl-init: %s: %v\n", op, err)
	}
	os.Exit(code)
}

package network

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/rootless-containers/rootlesskit/v2/pkg/port"
	"github.com/rootless-containers/rootlesskit/v2/pkg/port/builtin"
	portslirp "github.com/rootless-containers/rootlesskit/v2/pkg/port/slirp4netns"
)

// envPortChild carries the builtin driver's opaque data to the port
// helper: rl itself, entered into the container's namespaces by nsenter.
const envPortChild = "_RL_PORT_CHILD"

// publish forwards ports from the host to the container. The host sockets
// are bound here and now, so that a port in use fails the start before
// the container runs.
func (n *Network) publish(pid int, privileged bool, childIP, apiSocket string, ports []PortMapping, stateDir string) error {
	var d port.ParentDriver
	var err error
	if apiSocket != "" {
		d, err = portslirp.NewParentDriver(io.Discard, apiSocket)
	} else {
		d, err = n.startBuiltin(pid, privileged, stateDir)
	}
	if err != nil {
		return err
	}
	ctx := context.Background()
	for _, m := range ports {
		if m.HostPort == 0 {
			if m.HostPort, err = freePort(m); err != nil {
				return err
			}
		}
		spec := port.Spec{Proto: m.Proto, ParentIP: m.HostIP, ParentPort: m.HostPort, ChildPort: m.ContainerPort, ChildIP: childIP}
		if _, err := d.AddPort(ctx, spec); err != nil {
			return fmt.Errorf("publishing %s: %w", m, err)
		}
		n.Ports = append(n.Ports, m)
	}
	return nil
}

// startBuiltin starts rootlesskit's builtin port driver: its parent half
// runs in rl; its child half runs in a helper in the container's user and
// net namespaces (but the host's mount namespace, where the driver's
// socket is), which Go cannot setns(2) into, so nsenter starts it.
func (n *Network) startBuiltin(pid int, privileged bool, stateDir string) (port.ParentDriver, error) {
	d, err := builtin.NewParentDriver(io.Discard, stateDir)
	if err != nil {
		return nil, fmt.Errorf("starting the port forwarder: %w", err)
	}
	opaque, err := json.Marshal(d.OpaqueForChild())
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		return nil, fmt.Errorf("starting the port forwarder: %w (install util-linux)", err)
	}
	args := []string{"-t", strconv.Itoa(pid), "-n"}
	if !privileged {
		args = append(args, "-U", "--preserve-credentials")
	}
	quitR, quitW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer quitR.Close()
	cmd := exec.Command(nsenter, append(args, self)...)
	cmd.Env = append(os.Environ(), envPortChild+"="+string(opaque))
	cmd.Stdin = quitR
	h, err := startHelper(cmd, "the port forwarder", filepath.Join(stateDir, "ports.log"))
	if err != nil {
		quitW.Close()
		return nil, err
	}
	quit, ready, failed := make(chan struct{}), make(chan struct{}, 1), make(chan error, 1)
	go func() { failed <- d.RunParentDriver(ready, quit, nil) }()
	n.stops = append(n.stops, func() {
		close(quit)
		quitW.Close() // the helper's stdin: it exits on EOF
		h.wait()
	})
	select {
	case <-ready:
		return d, nil
	case err := <-failed:
		return nil, h.error(err)
	case err := <-h.exited:
		return nil, h.failed(err)
	}
}

// MaybeRunPortChild runs the builtin port driver's child half and exits,
// when this process is the port helper that startBuiltin started; it
// returns otherwise. rl calls it first thing.
func MaybeRunPortChild() {
	opaque := os.Getenv(envPortChild)
	if opaque == "" {
		return
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(opaque), &m); err != nil {
		fmt.Fprintln(os.Stderr, "rl: port helper:", err)
		os.Exit(125)
	}
	quit := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin) // rl closes it to stop us
		close(quit)
	}()
	if err := builtin.NewChildDriver(os.Stderr).RunChildDriver(m, quit, ""); err != nil {
		fmt.Fprintln(os.Stderr, "rl: port helper:", err)
		os.Exit(125)
	}
	os.Exit(0)
}

// freePort picks a host port that is free now for m's protocol and
// address, for a mapping that names none.
func freePort(m PortMapping) (int, error) {
	addr := net.JoinHostPort(m.HostIP, "0")
	if m.Proto == "udp" {
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			return 0, fmt.Errorf("choosing a host port for %s: %w", m, err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return 0, fmt.Errorf("choosing a host port for %s: %w", m, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

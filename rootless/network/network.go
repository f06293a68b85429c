package network

import (
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/rl-containers/rl/rootless/spec"
)

// The user-mode network's addresses, the same for every container, as
// slirp4netns and podman have them: the container at .100 of 10.0.2.0/24,
// the gateway (the host, and its loopback when allowed) at .2, the DNS
// forwarder at .3.
const (
	Dev       = "tap0"
	Address   = "10.0.2.100"
	PrefixLen = 24
	Gateway   = "10.0.2.2"
	DNS       = "10.0.2.3"
)

// Network is a started container network: the user-mode stack's helper
// and the published ports' forwarder, which live as long as the container.
type Network struct {
	// Interface is what rl-init must configure, or nil when the backend
	// configured the device itself.
	Interface *spec.Interface
	// Ports are the published ports, host ports chosen.
	Ports []PortMapping
	stops []func()
}

// Start gives the net namespace of the process pid its network as mode
// says and publishes ports. It must run after pid's id maps are written
// and before pid pivots (the helpers look up ip and /dev/net/tun in pid's
// mount namespace). stateDir holds the helpers' sockets and logs; its path
// must be short (a unix socket path has 108 bytes). privileged is real
// root, with no user namespace to enter. On failure it stops what it
// started.
func Start(pid int, privileged bool, mode Mode, ports []PortMapping, stateDir string) (n *Network, err error) {
	n = &Network{}
	defer func() {
		if err != nil {
			n.Stop()
		}
	}()
	if !mode.OwnStack() {
		return n, nil
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the network's state dir: %w", err)
	}
	n.stops = append(n.stops, func() { _ = os.RemoveAll(stateDir) })
	var apiSocket string
	switch {
	case mode.Name == Pasta:
		err = n.startPasta(pid, privileged, mode, stateDir)
	case privileged:
		err = n.startSlirpDirect(pid, mode, stateDir)
	default:
		apiSocket, err = n.startSlirp(pid, mode, stateDir)
	}
	if err != nil {
		return n, checkTun(err)
	}
	if len(ports) > 0 {
		err = n.publish(pid, privileged, Address, apiSocket, ports, stateDir)
	}
	return n, err
}

// Publish forwards ports from the host to the network namespace of pid,
// a container of the rootless user whose own address there is childIP
// (one on user-defined networks: its address on the first). On failure it
// stops what it started.
func Publish(pid int, ports []PortMapping, childIP, stateDir string) (n *Network, err error) {
	n = &Network{}
	if len(ports) == 0 {
		return n, nil
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the network's state dir: %w", err)
	}
	n.stops = append(n.stops, func() { _ = os.RemoveAll(stateDir) })
	if err := n.publish(pid, false, childIP, "", ports, stateDir); err != nil {
		n.Stop()
		return nil, err
	}
	return n, nil
}

// Stop stops the helpers, newest first. It is safe on a nil Network.
func (n *Network) Stop() {
	if n == nil {
		return
	}
	for i := len(n.stops) - 1; i >= 0; i-- {
		n.stops[i]()
	}
	n.stops = nil
}

// iface is the tap device's configuration for rl-init.
func iface(mtu int) *spec.Interface {
	return &spec.Interface{
		Dev: Dev, Address: netip.PrefixFrom(netip.MustParseAddr(Address), PrefixLen).String(),
		Gateway: Gateway, MTU: mtu,
	}
}

// ErrNoBackend is returned when the network mode's program is not
// installed.
var ErrNoBackend = errors.New("network backend not installed")

// Package netconfig keeps rl's user-defined networks in the store, for the
// front end (never rl-init): one file per network, ROOT/networks/NAME.json,
// in netavark's own JSON (the document netavark reads in its setup input's
// network_info), as podman lays them out. The default network, podman,
// is never stored: as in podman it always exists and cannot be removed.
// Creations and removals run under the store's lock, the one that orders
// container creations, so that a network cannot vanish while a container
// that uses it is being made.
package netconfig

import (
	"errors"
	"time"

	"github.com/rl-containers/rl/rootless/network"
)

// Errors, in podman's words.
var (
	// ErrNotFound is returned for a name or id that names no network.
	ErrNotFound = errors.New("network not found")
	// ErrExists is returned when creating a network whose name is taken.
	ErrExists = errors.New("network already exists")
	// ErrInUse is wrapped by the error for removing a network that a
	// container uses: rl exits 2 for it, as podman does.
	ErrInUse = errors.New("network is being used")
)

// Network is one network's configuration, netavark's document.
type Network struct {
	Name             string            `json:"name"`
	ID               string            `json:"id"`
	Driver           string            `json:"driver"`
	NetworkInterface string            `json:"network_interface"`
	Created          time.Time         `json:"created"`
	Subnets          []Subnet          `json:"subnets"`
	IPv6Enabled      bool              `json:"ipv6_enabled"`
	Internal         bool              `json:"internal"`
	DNSEnabled       bool              `json:"dns_enabled"`
	DNSServers       []string          `json:"network_dns_servers,omitempty"`
	Labels           map[string]string `json:"labels,omitempty"`
	Options          map[string]string `json:"options,omitempty"`
	IPAMOptions      map[string]string `json:"ipam_options"`
}

// Subnet is one of a network's subnets, with its gateway.
type Subnet struct {
	Subnet  string `json:"subnet"`
	Gateway string `json:"gateway,omitempty"`
}

// The default network, as podman's: `--network bridge` and a pod or
// container that names no network get it; it has no DNS.
const (
	DefaultName      = network.DefaultNetwork
	defaultID        = "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9"
	defaultInterface = "podman0"
	defaultSubnet    = "10.88.0.0/16"
	defaultGateway   = "10.88.0.1"
)

// Default returns the default network.
func Default() *Network {
	return &Network{
		Name: DefaultName, ID: defaultID, Driver: "bridge", NetworkInterface: defaultInterface,
		Created: time.Now().UTC(), Subnets: []Subnet{{Subnet: defaultSubnet, Gateway: defaultGateway}},
		IPAMOptions: map[string]string{"driver": "host-local"},
	}
}

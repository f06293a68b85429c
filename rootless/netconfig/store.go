package netconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/store"
)

// Options are what `rl network create` sets.
type Options struct {
	Name       string
	Subnet     string // "" for a free /24 of 10.89.0.0/16
	Gateway    string // "" for the subnet's first host
	Internal   bool
	DisableDNS bool
	DNSServers []string
	Labels     map[string]string
	// DriverOptions (-o, ParseDriverOptions): mtu=N, the bridge's and
	// the veths' MTU.
	DriverOptions map[string]string
}

// Store is the networks of one container store.
type Store struct{ store.Store }

// New returns the networks of s.
func New(s store.Store) Store { return Store{s} }

func (s Store) dir() string             { return filepath.Join(s.Root, "networks") }
func (s Store) file(name string) string { return filepath.Join(s.dir(), name+".json") }

// CheckName fails with one line, in podman's words, for a name podman
// refuses.
func CheckName(name string) error {
	if name == "" || !config.ValidName(name) {
		return fmt.Errorf("network name %q invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (hint: %s)", name, config.NameRule)
	}
	return nil
}

// Create makes a network, under the store's lock.
func (s Store) Create(o Options) (*Network, error) {
	unlock, err := s.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	nets, err := s.List()
	if err != nil {
		return nil, err
	}
	n, err := plan(o, nets)
	if err != nil {
		return nil, err
	}
	if n.ID, err = store.NewID(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(n, "", "     ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.dir(), 0o700); err != nil {
		return nil, fmt.Errorf("creating network %s: %w", n.Name, err)
	}
	if err := store.WriteAtomic(s.file(n.Name), b); err != nil {
		return nil, fmt.Errorf("creating network %s: %w", n.Name, err)
	}
	return n, nil
}

// plan is the network that o asks for beside the networks nets, or why
// there can be none; it is pure.
func plan(o Options, nets []*Network) (*Network, error) {
	var ifaces []string
	for _, n := range nets {
		ifaces = append(ifaces, n.NetworkInterface)
	}
	iface := freeInterface(ifaces)
	if o.Name == "" {
		o.Name = iface
	}
	if err := CheckName(o.Name); err != nil {
		return nil, err
	}
	if slices.ContainsFunc(nets, func(n *Network) bool { return n.Name == o.Name }) {
		return nil, fmt.Errorf("network name %s already used: %w", o.Name, ErrExists)
	}
	taken := subnets(nets)
	var subnet netip.Prefix
	var err error
	switch {
	case o.Subnet != "":
		if subnet, err = ParseSubnet(o.Subnet); err == nil {
			err = checkFree(subnet, taken)
		}
	case o.Gateway != "":
		err = errors.New("cannot set --gateway without --subnet (hint: give the subnet that holds it)")
	default:
		subnet, err = freeSubnet(taken)
	}
	if err != nil {
		return nil, err
	}
	gw := FirstHost(subnet)
	if o.Gateway != "" {
		if gw, err = ParseGateway(o.Gateway, subnet); err != nil {
			return nil, err
		}
	}
	var dns []string
	for _, d := range o.DNSServers {
		a, err := ParseDNSServer(d)
		if err != nil {
			return nil, err
		}
		dns = append(dns, a)
	}
	return &Network{
		Name: o.Name, Driver: "bridge", NetworkInterface: iface, Created: time.Now().UTC(),
		Subnets:  []Subnet{{Subnet: subnet.String(), Gateway: gw.String()}},
		Internal: o.Internal, DNSEnabled: !o.DisableDNS, DNSServers: dns, Labels: o.Labels,
		Options: o.DriverOptions, IPAMOptions: map[string]string{"driver": "host-local"},
	}, nil
}

// Load returns the network that ref names: a name, an id, or a unique
// prefix of an id.
func (s Store) Load(ref string) (*Network, error) {
	nets, err := s.List()
	if err != nil {
		return nil, err
	}
	var found []*Network
	for _, n := range nets {
		if n.Name == ref || n.ID == ref {
			return n, nil
		}
		if ref != "" && strings.HasPrefix(n.ID, ref) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("unable to find network with name or ID %s: %w", ref, ErrNotFound)
	default:
		return nil, fmt.Errorf("more than one network matches ID prefix %s (hint: give more of the id, or the name)", ref)
	}
}

// List returns every network, the default one too, sorted by name as
// podman lists them.
func (s Store) List() ([]*Network, error) {
	entries, err := os.ReadDir(s.dir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("listing networks: %w", err)
	}
	nets := []*Network{Default()}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || strings.HasPrefix(name, ".") {
			continue
		}
		b, err := os.ReadFile(s.file(name))
		if err != nil {
			continue // removed meanwhile
		}
		n := &Network{}
		if err := json.Unmarshal(b, n); err != nil {
			return nil, fmt.Errorf("reading network %s: %w", name, err)
		}
		nets = append(nets, n)
	}
	slices.SortFunc(nets, func(a, b *Network) int { return strings.Compare(a.Name, b.Name) })
	return nets, nil
}

// RemoveLocked deletes the network's configuration; the caller holds the
// store's lock and has checked that no container uses it. The default
// network cannot be removed.
func (s Store) RemoveLocked(name string) error {
	if name == DefaultName {
		return fmt.Errorf("default network %s cannot be removed", name)
	}
	if err := os.Remove(s.file(name)); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("unable to find network with name or ID %s: %w", name, ErrNotFound)
		}
		return fmt.Errorf("removing network %s: %w", name, err)
	}
	return nil
}

package netns

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/rl-containers/rl/rootless/netconfig"
)

// ErrNotAttached is returned by Connect and Disconnect for a container
// that is not on any network of the rootless netns now (it does not run).
var ErrNotAttached = errors.New("the container is not attached")

// Connect puts the running container id on one more network n, with an
// interface of its own (the next ethN). It returns the container's
// addresses and name servers over all its networks, in the order of
// networks (its record's, n last), for its /etc/hosts and resolv.conf.
func (ns Namespace) Connect(id string, n Net, networks []string) (*Result, error) {
	helpers, unlock, err := ns.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	h, st, e, err := ns.attached(id)
	if err != nil {
		return nil, err
	}
	name := n.Config.Name
	if _, ok := e.Input.Networks[name]; ok {
		return nil, fmt.Errorf("container %s is already connected to network %s", id[:12], name)
	}
	ip, err := allocate(n.Config, n.IP, taken(st, name))
	if err != nil {
		return nil, err
	}
	one := setupInput{
		ContainerID: e.Input.ContainerID, ContainerName: e.Input.ContainerName,
		Networks: map[string]perNetwork{name: {
			StaticIPs: []string{ip}, Aliases: append([]string{id[:12]}, n.Aliases...),
			InterfaceName: freeInterfaceName(e.Input.Networks), StaticMAC: n.MAC,
		}},
		NetworkInfo: map[string]*netconfig.Network{name: n.Config},
	}
	if e.Statuses == nil {
		e.Statuses = map[string]Status{}
	}
	if err := helpers.setupOne(h, ns.nsFile(id), "", one, n, e.Statuses); err != nil {
		return nil, fmt.Errorf("connecting to network %s: %w", name, err)
	}
	e.Input.Networks[name], e.Input.NetworkInfo[name] = one.Networks[name], n.Config
	e.IPs[name], e.Bridges = ip, append(e.Bridges, n.Config.NetworkInterface)
	if err := isolate(h, st); err != nil {
		return nil, err
	}
	if err := ns.save(st); err != nil {
		return nil, err
	}
	return e.result(networks), nil
}

// result is what e has on networks, in that order: addresses, and the
// name servers and search domains netavark answered.
func (e *entry) result(networks []string) *Result {
	res := &Result{Statuses: e.Statuses}
	for _, name := range networks {
		if ip, ok := e.IPs[name]; ok {
			res.IPs = append(res.IPs, ip)
		}
		s := e.Statuses[name]
		res.DNS = appendNew(res.DNS, s.DNSServerIPs...)
		res.Search = appendNew(res.Search, s.DNSSearchDomains...)
	}
	return res
}

// Disconnect takes the running container id off the network name.
func (ns Namespace) Disconnect(id, name string) error {
	helpers, unlock, err := ns.lock()
	if err != nil {
		return err
	}
	defer unlock()
	h, st, e, err := ns.attached(id)
	if err != nil {
		return err
	}
	pn, ok := e.Input.Networks[name]
	if !ok {
		return fmt.Errorf("container %s is not connected to network %s", id[:12], name)
	}
	one := setupInput{
		ContainerID: e.Input.ContainerID, ContainerName: e.Input.ContainerName,
		Networks: map[string]perNetwork{name: pn}, NetworkInfo: map[string]*netconfig.Network{name: e.Input.NetworkInfo[name]},
	}
	if _, err := helpers.netavark(h, "teardown", ns.nsFile(id), one, "", false); err != nil {
		return fmt.Errorf("disconnecting from network %s: %w", name, err)
	}
	bridge := e.Input.NetworkInfo[name].NetworkInterface
	delete(e.Input.Networks, name)
	delete(e.Input.NetworkInfo, name)
	delete(e.IPs, name)
	delete(e.Statuses, name)
	e.Bridges = slices.DeleteFunc(e.Bridges, func(b string) bool { return b == bridge })
	return ns.save(st)
}

// attached returns the live rootless netns, its state and the entry of
// the container id, which must be attached and run.
func (ns Namespace) attached(id string) (holder, *state, *entry, error) {
	h, err := readHolder(ns.Dir)
	if err != nil || !h.alive() {
		return h, nil, nil, ErrNotAttached
	}
	st, err := ns.load()
	if err != nil {
		return h, nil, nil, err
	}
	e := st.Containers[id]
	if e == nil || nsInode(e.Pid, "net") != e.NetNS {
		return h, nil, nil, ErrNotAttached
	}
	return h, st, e, nil
}

// freeInterfaceName is the least ethN that none of nets has.
func freeInterfaceName(nets map[string]perNetwork) string {
	used := slices.Collect(maps.Values(nets))
	for i := 0; ; i++ {
		name := "eth" + strconv.Itoa(i)
		if !slices.ContainsFunc(used, func(p perNetwork) bool { return p.InterfaceName == name }) {
			return name
		}
	}
}

package rootless

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/netconfig"
	"github.com/rl-containers/rl/rootless/netns"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/store"
)

// Networks is the store's user-defined networks.
func (e *Engine) Networks() netconfig.Store { return netconfig.New(e.Store) }

// resolveNetworks checks that the user-defined networks of m exist and
// names each by its name (an id or a prefix of one may name it).
func (e *Engine) resolveNetworks(m *network.Mode) error {
	if m.Name != network.Bridge {
		return nil
	}
	if err := netns.CheckHelpers(); err != nil {
		return err
	}
	for i := range m.Networks {
		n, err := e.Networks().Load(m.Networks[i].Network)
		if err != nil {
			return err
		}
		if ip := m.Networks[i].IP; ip != "" {
			if err := n.CheckAddress(ip); err != nil {
				return err
			}
		}
		m.Networks[i].Network = n.Name
	}
	return nil
}

// onNetworks returns what takes the container c off its user-defined
// networks once it is removed, where its monitor could not (it was
// killed): the rootless netns ends with its last container. It does
// nothing for a container on none.
func onNetworks(c *store.Container) func() {
	r, err := c.Record()
	if err != nil || r.Options.Net.Mode.Name != network.Bridge {
		return func() {}
	}
	return func() {
		if err := monitor.Namespace(c.Store).Detach(c.State.ID); err != nil {
			slog.Warn("taking the container off its networks", "id", c.State.ID, "err", err)
		}
	}
}

// NetworkCreate makes a network.
func (e *Engine) NetworkCreate(ctx context.Context, o netconfig.Options) (*netconfig.Network, error) {
	return e.Networks().Create(o)
}

// networksAndUsers returns every network, by name, and the ids of the
// containers that use each.
func (e *Engine) networksAndUsers() ([]*netconfig.Network, map[string][]string, error) {
	nets, err := e.Networks().List()
	if err != nil {
		return nil, nil, err
	}
	used, err := e.NetworkUsers()
	return nets, used, err
}

// NetworkList returns the networks that f selects, by name.
func (e *Engine) NetworkList(ctx context.Context, f netconfig.Filter) ([]*netconfig.Network, error) {
	nets, used, err := e.networksAndUsers()
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(nets, func(n *netconfig.Network) bool { return !f.Match(n, len(used[n.Name]) > 0) }), nil
}

// NetworkUsers maps each network's name to the ids of the containers
// made to use it, running or not.
func (e *Engine) NetworkUsers() (map[string][]string, error) {
	states, err := e.Store.List()
	if err != nil {
		return nil, err
	}
	used := map[string][]string{}
	for _, st := range states {
		r, err := (&store.Container{Store: e.Store, State: st}).Record()
		if err != nil || r.Options.Net.Mode.Name != network.Bridge {
			continue
		}
		for _, a := range r.Options.Net.Mode.Networks {
			used[a.Network] = append(used[a.Network], st.ID)
		}
	}
	return used, nil
}

// NetworkRemove removes the network ref. One that a container uses is
// refused (netconfig.ErrInUse, exit 2), unless force, which removes those
// containers first, as podman does.
func (e *Engine) NetworkRemove(ctx context.Context, ref string, force bool) (string, error) {
	n, err := e.Networks().Load(ref)
	if err != nil {
		return "", &launch.ExitError{Code: 1, Err: err}
	}
	if n.Name == netconfig.DefaultName {
		return "", fmt.Errorf("default network %s cannot be removed (hint: it always exists, as podman's)", n.Name)
	}
	used, err := e.NetworkUsers()
	if err != nil {
		return "", err
	}
	if force {
		for _, id := range used[n.Name] {
			if err := e.Remove(ctx, id, true); err != nil && !errors.Is(err, store.ErrNoContainer) {
				return "", fmt.Errorf("removing network %s: %w", n.Name, err)
			}
		}
	}
	unlock, err := e.Store.Lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	if used, err = e.NetworkUsers(); err != nil {
		return "", err
	}
	if ids := used[n.Name]; len(ids) > 0 {
		short := make([]string, len(ids))
		for i, id := range ids {
			short[i] = id[:12]
		}
		return "", &launch.ExitError{Code: 2, Err: fmt.Errorf("%q has associated containers with it (%s): %w (hint: remove them first, or use rl network rm -f)",
			n.Name, strings.Join(short, ", "), netconfig.ErrInUse)}
	}
	return n.Name, e.Networks().RemoveLocked(n.Name)
}

// NetworkPrune removes every network that f selects but the default one
// that no container uses and returns their names.
func (e *Engine) NetworkPrune(ctx context.Context, f netconfig.Filter) ([]string, error) {
	unlock, err := e.Store.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	nets, used, err := e.networksAndUsers()
	if err != nil {
		return nil, err
	}
	var names []string
	var errs []error
	for _, n := range nets {
		if n.Name == netconfig.DefaultName || len(used[n.Name]) > 0 || !f.Match(n, false) {
			continue
		}
		if err := e.Networks().RemoveLocked(n.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		names = append(names, n.Name)
	}
	slices.Sort(names)
	return names, errors.Join(errs...)
}

// endpoints are inspect's NetworkSettings.Networks of the container c on
// the networks of m: each network's id and the aliases asked for, and,
// while it runs, its address, gateway and MAC there.
func (e *Engine) endpoints(c *store.Container, m network.Mode) map[string]NetworkEndpoint {
	if m.Name != network.Bridge {
		return nil
	}
	statuses := monitor.Namespace(e.Store).Statuses(c.State.ID)
	out := map[string]NetworkEndpoint{}
	for _, a := range m.Networks {
		ep := NetworkEndpoint{Aliases: a.Aliases}
		if ep.Aliases == nil {
			ep.Aliases = []string{}
		}
		if n, err := e.Networks().Load(a.Network); err == nil {
			ep.NetworkID = n.ID
		}
		for _, iface := range statuses[a.Network].Interfaces {
			ep.MacAddress = iface.MAC
			for _, sn := range iface.Subnets {
				if p, err := netip.ParsePrefix(sn.IPNet); err == nil {
					ep.IPAddress, ep.IPPrefixLen, ep.Gateway = p.Addr().String(), p.Bits(), sn.Gateway
				}
			}
		}
		out[a.Network] = ep
	}
	return out
}

// NetworkConnect puts the container ref on the network netRef (a created
// one from its next start, a running one at once too), with a, which
// names the aliases, address and MAC asked for; a.Network is ignored.
func (e *Engine) NetworkConnect(ctx context.Context, netRef, ref string, a network.Attachment) error {
	n, c, r, err := e.networkAndContainer(netRef, ref)
	if err != nil {
		return err
	}
	a.Network = n.Name
	if a.IP != "" {
		if err := n.CheckAddress(a.IP); err != nil {
			return err
		}
	}
	mode := &r.Options.Net.Mode
	if slices.ContainsFunc(mode.Networks, func(o network.Attachment) bool { return o.Network == n.Name }) {
		return fmt.Errorf("container %s is already connected to network %s", ref, n.Name)
	}
	mode.Networks = append(mode.Networks, a)
	if c.State.Active() {
		names := make([]string, len(mode.Networks))
		for i, o := range mode.Networks {
			names[i] = o.Network
		}
		res, err := monitor.Namespace(e.Store).Connect(c.State.ID, netns.Net{Config: n, Attachment: a}, names)
		switch {
		case errors.Is(err, netns.ErrNotAttached):
		case err != nil:
			return err
		default:
			if err := monitor.WriteNetworkFiles(c, r.Options.Net, r.Spec.Hostname, res); err != nil {
				return err
			}
		}
	}
	return c.SaveConfig(r)
}

// NetworkDisconnect takes the container ref off the network netRef, a
// running one at once.
func (e *Engine) NetworkDisconnect(ctx context.Context, netRef, ref string) error {
	n, c, r, err := e.networkAndContainer(netRef, ref)
	if err != nil {
		return err
	}
	mode := &r.Options.Net.Mode
	i := slices.IndexFunc(mode.Networks, func(o network.Attachment) bool { return o.Network == n.Name })
	if i < 0 {
		return fmt.Errorf("container %s is not connected to network %s", ref, n.Name)
	}
	if len(mode.Networks) == 1 {
		return fmt.Errorf("container %s would be on no network: rl keeps a container on one at least (hint: connect it to another first)", ref)
	}
	mode.Networks = slices.Delete(mode.Networks, i, i+1)
	if c.State.Active() {
		if err := monitor.Namespace(e.Store).Disconnect(c.State.ID, n.Name); err != nil && !errors.Is(err, netns.ErrNotAttached) {
			return err
		}
	}
	return c.SaveConfig(r)
}

// networkAndContainer loads the network netRef and the container ref
// with its record, which must put it on user-defined networks.
func (e *Engine) networkAndContainer(netRef, ref string) (*netconfig.Network, *store.Container, *config.Record, error) {
	n, err := e.Networks().Load(netRef)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := e.Store.Load(ref)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := c.Record()
	if err != nil {
		return nil, nil, nil, err
	}
	if m := r.Options.Net.Mode; m.Name != network.Bridge {
		return nil, nil, nil, fmt.Errorf("container %s is not on user-defined networks (--network %s): rl connects only containers made with --network NAME", ref, m)
	}
	return n, c, r, nil
}

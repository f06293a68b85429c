package netns

import (
	"fmt"
	"net/netip"

	"github.com/rl-containers/rl/rootless/netconfig"
)

// allocate picks the container's address on n: want when given (inside
// the subnet, not the gateway, free), else the first free host address.
// taken are the addresses that other containers hold on n. It is pure.
func allocate(n *netconfig.Network, want string, taken map[string]bool) (string, error) {
	if len(n.Subnets) == 0 {
		return "", fmt.Errorf("network %s has no subnet", n.Name)
	}
	subnet, err := netip.ParsePrefix(n.Subnets[0].Subnet)
	if err != nil {
		return "", fmt.Errorf("network %s: %w", n.Name, err)
	}
	gw, _ := netip.ParseAddr(n.Subnets[0].Gateway)
	if want != "" {
		if err := n.CheckAddress(want); err != nil {
			return "", err
		}
		if taken[want] {
			return "", fmt.Errorf("requested ip address %s is already allocated to another container on network %s (hint: pick another --ip, or none)", want, n.Name)
		}
		return want, nil
	}
	var free string
	netconfig.Hosts(subnet, gw, func(h netip.Addr) bool {
		if !taken[h.String()] {
			free = h.String()
		}
		return free == ""
	})
	if free == "" {
		return "", fmt.Errorf("no free address left on network %s (%s)", n.Name, subnet)
	}
	return free, nil
}

package netconfig

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// reserved is a subnet that no network may overlap: the rootless network
// namespace's own link to slirp4netns (rootless/netns) uses it.
var reserved = netip.MustParsePrefix("10.0.2.0/24")

// freePool is where a network without --subnet gets its subnet, as in
// podman: the first free /24 of 10.89.0.0/16.
var freePool = netip.MustParsePrefix("10.89.0.0/16")

// ParseSubnet parses a --subnet value, an IPv4 CIDR with room for a
// gateway and a container (/30 at most), and returns it masked to its
// network address.
func ParseSubnet(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, fmt.Errorf("invalid --subnet %q: not a CIDR address (hint: write it as 10.89.5.0/24)", s)
	}
	if !p.Addr().Is4() {
		return p, fmt.Errorf("invalid --subnet %q: rl supports IPv4 subnets only (hint: IPv6 is off in rl's networks)", s)
	}
	if p.Bits() > 30 {
		return p, fmt.Errorf("invalid --subnet %q: no room for a gateway and a container (hint: use a /30 or larger, as /24)", s)
	}
	return p.Masked(), nil
}

// ParseGateway parses a --gateway value for subnet: an address inside it,
// neither its network nor its broadcast address.
func ParseGateway(s string, subnet netip.Prefix) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, fmt.Errorf("invalid --gateway %q: not an IP address", s)
	}
	if !subnet.Contains(a) || a == subnet.Addr() || a == broadcast(subnet) {
		return a, fmt.Errorf("invalid --gateway %q: not a host address of subnet %s", s, subnet)
	}
	return a, nil
}

// FirstHost is the first host address of p, the default gateway.
func FirstHost(p netip.Prefix) netip.Addr { return p.Addr().Next() }

// broadcast is the last address of the IPv4 prefix p.
func broadcast(p netip.Prefix) netip.Addr {
	b := p.Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// Hosts calls yield with each address of p that a container may have:
// every host address but gateway, in order, until yield returns false.
func Hosts(p netip.Prefix, gateway netip.Addr, yield func(netip.Addr) bool) {
	last := broadcast(p)
	for a := FirstHost(p); a.IsValid() && a.Less(last); a = a.Next() {
		if a != gateway && !yield(a) {
			return
		}
	}
}

// checkFree refuses subnet when it overlaps one of taken's or the
// reserved one.
func checkFree(subnet netip.Prefix, taken []netip.Prefix) error {
	for _, t := range append(taken, reserved) {
		if t.Overlaps(subnet) {
			return fmt.Errorf("subnet %s is already used by another network or the rootless network namespace (%s) (hint: pick another --subnet)", subnet, t)
		}
	}
	return nil
}

// freeSubnet returns the first /24 of the pool that none of taken
// overlaps.
func freeSubnet(taken []netip.Prefix) (netip.Prefix, error) {
	for i := 0; i < 256; i++ {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 89, byte(i), 0}), 24)
		if checkFree(p, taken) == nil {
			return p, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("no free subnet left in %s (hint: give one with --subnet)", freePool)
}

// freeInterface returns the bridge name podmanN with the least N ≥ 1 that
// none of taken has; podman0 is the default network's.
func freeInterface(taken []string) string {
	for n := 1; ; n++ {
		name := "podman" + strconv.Itoa(n)
		if !slices.Contains(taken, name) {
			return name
		}
	}
}

// subnets are the prefixes of nets' subnets.
func subnets(nets []*Network) []netip.Prefix {
	var out []netip.Prefix
	for _, n := range nets {
		for _, s := range n.Subnets {
			if p, err := netip.ParsePrefix(s.Subnet); err == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// ParseDNSServer parses a network's --dns value, an IP address.
func ParseDNSServer(s string) (string, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("invalid --dns %q: not an IP address", s)
	}
	return a.String(), nil
}

// CheckAddress refuses an address asked for a container on n (--ip)
// that is not one of its subnet's host addresses, or is its gateway.
func (n *Network) CheckAddress(ip string) error {
	a, err := netip.ParseAddr(ip)
	inside := false
	if err == nil && len(n.Subnets) > 0 {
		subnet, _ := netip.ParsePrefix(n.Subnets[0].Subnet)
		gw, _ := netip.ParseAddr(n.Subnets[0].Gateway)
		Hosts(subnet, gw, func(h netip.Addr) bool {
			inside = h == a
			return !inside
		})
	}
	if !inside {
		return fmt.Errorf("requested ip address %s is not a free host address of network %s's subnet %s (hint: pick one inside it, other than the gateway %s)",
			ip, n.Name, n.Subnets[0].Subnet, n.Subnets[0].Gateway)
	}
	return nil
}

// ParseDriverOptions parses network create's -o KEY=VALUE options, those
// of the bridge driver that rl knows: mtu=N (68 to 65535) is the one. It
// returns nil for none.
func ParseDriverOptions(flags []string) (map[string]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	opts := map[string]string{}
	for _, f := range flags {
		k, v, _ := strings.Cut(f, "=")
		if k != "mtu" {
			return nil, fmt.Errorf("unsupported network option %q (hint: rl's bridge takes -o mtu=N)", f)
		}
		if n, err := strconv.Atoi(v); err != nil || n < 68 || n > 65535 {
			return nil, fmt.Errorf("invalid network option %q: want mtu=N, N from 68 to 65535", f)
		}
		opts[k] = v
	}
	return opts, nil
}

package network

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// PortMapping is one published port.
type PortMapping struct {
	// HostIP is the host address to listen on; "" is all of them.
	HostIP string `json:"host_ip,omitempty"`
	// HostPort is the host port; 0 until a free one is chosen at start.
	HostPort      int    `json:"host_port"`
	ContainerPort int    `json:"container_port"`
	Proto         string `json:"proto"` // "tcp" or "udp"
}

// publishUsage is the syntax of -p, for errors.
const publishUsage = "want [[IP:][HOST-PORT]:]CONTAINER-PORT[/tcp|udp], as in 8080:80, 127.0.0.1::80/udp, [::1]:8080:80 or 8000-8009:80-89"

// ParsePublish parses a -p/--publish value as docker does:
// [[IP:][HOST-PORT]:]CONTAINER-PORT[/PROTO], one mapping per port. A
// missing host port is chosen at start; an IPv6 address goes in brackets
// ([::1]:8080:80); PROTO is tcp (the default) or udp. Ports may be ranges
// (8000-8009:80-89, or 80-89 alone), the host's as long as the
// container's.
func ParsePublish(s string) ([]PortMapping, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("invalid --publish %q: %s; %s", s, fmt.Sprintf(format, args...), publishUsage)
	}
	ports, proto, hasProto := strings.Cut(s, "/")
	proto = strings.ToLower(proto)
	switch {
	case !hasProto:
		proto = "tcp"
	case proto == "sctp":
		return nil, fmt.Errorf("invalid --publish %q: sctp is not supported (rootlesskit's port driver forwards tcp and udp only)", s)
	case proto != "tcp" && proto != "udp":
		return nil, bad("unknown protocol %q", proto)
	}

	var ip, hostPorts, ctrPorts string
	if rest, ok := strings.CutPrefix(ports, "["); ok {
		var found bool
		if ip, rest, found = strings.Cut(rest, "]:"); !found {
			return nil, bad("no ]: after the bracketed address")
		}
		if ip == "" {
			return nil, bad("empty brackets")
		}
		if hostPorts, ctrPorts, found = strings.Cut(rest, ":"); !found {
			return nil, bad("[IP]: must be followed by HOST-PORT:CONTAINER-PORT, or :CONTAINER-PORT for any host port")
		}
	} else {
		parts := strings.Split(ports, ":")
		switch len(parts) {
		case 1:
			ctrPorts = parts[0]
		case 2:
			hostPorts, ctrPorts = parts[0], parts[1]
		case 3:
			ip, hostPorts, ctrPorts = parts[0], parts[1], parts[2]
		default:
			return nil, bad("too many colons (an IPv6 address goes in brackets)")
		}
	}

	if ip != "" {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			return nil, bad("host address %q is not an IP address", ip)
		}
		ip = addr.String()
	}
	c1, c2, err := parsePortRange(ctrPorts)
	if err != nil {
		return nil, bad("container port: %v", err)
	}
	h1, h2 := 0, 0
	if hostPorts != "" {
		if h1, h2, err = parsePortRange(hostPorts); err != nil {
			if _, ipErr := netip.ParseAddr(hostPorts); ipErr == nil {
				return nil, bad("host port %q is an address (for any host port on it, write %s::%s)", hostPorts, hostPorts, ctrPorts)
			}
			return nil, bad("host port: %v", err)
		}
		if h2-h1 != c2-c1 {
			return nil, bad("host ports %s and container ports %s differ in number", hostPorts, ctrPorts)
		}
	}

	ms := make([]PortMapping, 0, c2-c1+1)
	for i := 0; i <= c2-c1; i++ {
		m := PortMapping{HostIP: ip, ContainerPort: c1 + i, Proto: proto}
		if h1 != 0 {
			m.HostPort = h1 + i
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// parsePortRange parses PORT or FIRST-LAST.
func parsePortRange(s string) (first, last int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if first, err = parsePort(a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return first, first, nil
	}
	if last, err = parsePort(b); err != nil {
		return 0, 0, err
	}
	if last < first {
		return 0, 0, fmt.Errorf("range %q runs backwards", s)
	}
	return first, last, nil
}

// parsePort parses a port number, 1 to 65535.
func parsePort(s string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%q is not a port number from 1 to 65535", s)
	}
	return int(n), nil
}

// String renders m as `docker port` does: "80/tcp -> 0.0.0.0:8080", or
// "80/tcp -> [::1]:8080".
func (m PortMapping) String() string {
	return fmt.Sprintf("%d/%s -> %s", m.ContainerPort, m.Proto, m.hostAddr())
}

// hostAddr is m's host address and port; 0.0.0.0 stands for all addresses.
func (m PortMapping) hostAddr() string {
	ip := m.HostIP
	if ip == "" {
		ip = "0.0.0.0"
	}
	return net.JoinHostPort(ip, strconv.Itoa(m.HostPort))
}

// CheckPorts refuses mappings that cannot be published: a host port below
// start (the value of net.ipv4.ip_unprivileged_port_start; 0 for real
// root), and two mappings that would listen on the same host port and
// protocol, on the same address or where either is a wildcard address
// (all addresses: "", 0.0.0.0, ::). Host ports still to be chosen (0) pass.
func CheckPorts(ms []PortMapping, start int) error {
	type key struct {
		port  int
		proto string
	}
	seen := map[key][]PortMapping{}
	for _, m := range ms {
		if m.HostPort == 0 {
			continue
		}
		if m.HostPort < start {
			alt := min(max(m.HostPort+8000, start), 65535)
			return fmt.Errorf("cannot publish port %d: ports below %d need privileges (net.ipv4.ip_unprivileged_port_start=%d); publish a port >= %d instead (-p %d:%d), or let users bind low ports: sudo sysctl net.ipv4.ip_unprivileged_port_start=%d",
				m.HostPort, start, start, start, alt, m.ContainerPort, m.HostPort)
		}
		k := key{m.HostPort, m.Proto}
		for _, o := range seen[k] {
			if o.HostIP == m.HostIP || isWildcard(o.HostIP) || isWildcard(m.HostIP) {
				return fmt.Errorf("cannot publish host port %d/%s twice (%s and %s): give each -p its own host port or address",
					m.HostPort, m.Proto, o.hostAddr(), m.hostAddr())
			}
		}
		seen[k] = append(seen[k], m)
	}
	return nil
}

// isWildcard reports whether ip stands for all addresses. A listener on a
// wildcard address clashes with one on any address of its family, and Go
// listens on 0.0.0.0 with a dual-stack socket, so each wildcard clashes
// with every address.
func isWildcard(ip string) bool {
	return ip == "" || ip == "0.0.0.0" || ip == "::"
}

// portStartFile holds the least port an unprivileged process may bind.
const portStartFile = "/proc/sys/net/ipv4/ip_unprivileged_port_start"

// UnprivilegedPortStart returns the least port the user may bind, from
// net.ipv4.ip_unprivileged_port_start; 1024, the kernel's default, when it
// cannot be read.
func UnprivilegedPortStart() int {
	return readPortStart(portStartFile)
}

// readPortStart reads a port-start file such as portStartFile.
func readPortStart(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 1024
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 0 {
		return 1024
	}
	return n
}

package network

import (
	"errors"
	"fmt"
	"net"
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

// ExposedPorts parses one of an image's exposed ports (the keys of its
// configuration's ExposedPorts: PORT[/PROTO], or a range FIRST-LAST[/PROTO])
// into mappings to host ports chosen at start, as -P publishes them.
func ExposedPorts(s string) ([]PortMapping, error) {
	ports, proto, hasProto := strings.Cut(s, "/")
	proto = strings.ToLower(proto)
	switch {
	case !hasProto:
		proto = "tcp"
	case proto == "sctp":
		return nil, errors.New("sctp is not supported (rootlesskit's port driver forwards tcp and udp only)")
	case proto != "tcp" && proto != "udp":
		return nil, fmt.Errorf("unknown protocol %q", proto)
	}
	first, last, err := ParsePortRange(ports)
	if err != nil {
		return nil, err
	}
	ms := make([]PortMapping, 0, last-first+1)
	for p := first; p <= last; p++ {
		ms = append(ms, PortMapping{ContainerPort: p, Proto: proto})
	}
	return ms, nil
}

// ParsePortRange parses PORT or FIRST-LAST, ports from 1 to 65535.
func ParsePortRange(s string) (first, last int, err error) {
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
	return fmt.Sprintf("%d/%s -> %s", m.ContainerPort, m.Proto, m.HostAddr())
}

// HostAddr is m's host address and port; 0.0.0.0 stands for all addresses.
func (m PortMapping) HostAddr() string {
	ip := m.HostIP
	if ip == "" {
		ip = "0.0.0.0"
	}
	return net.JoinHostPort(ip, strconv.Itoa(m.HostPort))
}

// CheckPorts refuses mappings whose host port is below start, the value
// of net.ipv4.ip_unprivileged_port_start (0 for real root): the user may
// not bind them. Host ports still to be chosen (0) pass.
func CheckPorts(ms []PortMapping, start int) error {
	for _, m := range ms {
		if m.HostPort != 0 && m.HostPort < start {
			alt := min(max(m.HostPort+8000, start), 65535)
			return fmt.Errorf("cannot publish port %d: ports below %d need privileges (net.ipv4.ip_unprivileged_port_start=%d); publish a port >= %d instead (-p %d:%d), or let users bind low ports: sudo sysctl net.ipv4.ip_unprivileged_port_start=%d",
				m.HostPort, start, start, start, alt, m.ContainerPort, m.HostPort)
		}
	}
	return nil
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

package network

import (
	"fmt"
	"net/netip"
	"strings"
)

// Hosts describes a container's /etc/hosts.
type Hosts struct {
	// Hostname is the container's hostname.
	Hostname string
	// Name is its name, if any, added as an alias when it differs.
	Name string
	// IP is its address on the user-mode network, "" for none and host.
	IP string
	// HostGateway is the address that host.containers.internal (and
	// host.docker.internal) name, "" when the host is not reachable.
	HostGateway string
	// Extra are extra entries, NAME:IP each with the address in its
	// canonical form.
	Extra []string
}

// HostsFile renders /etc/hosts as podman does: the Extra entries
// first (the resolver takes the first match, so they win), localhost, the
// host's names when HostGateway is set, then "IP HOSTNAME [NAME]", with
// 127.0.0.1 for IP when the container has none of its own.
func HostsFile(h Hosts) []byte {
	var b strings.Builder
	line := func(ip string, names ...string) {
		fmt.Fprintf(&b, "%s\t%s\n", ip, strings.Join(names, " "))
	}
	for _, e := range h.Extra {
		name, ip, _ := strings.Cut(e, ":")
		line(ip, name)
	}
	line("127.0.0.1", "localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4")
	line("::1", "localhost", "localhost.localdomain", "localhost6", "localhost6.localdomain6")
	if h.HostGateway != "" {
		line(h.HostGateway, "host.containers.internal", "host.docker.internal")
	}
	b.WriteString(HostsLine(h.IP, h.Hostname, h.Name))
	return []byte(b.String())
}

// HostsLine is the line of /etc/hosts that names a container: "IP
// HOSTNAME [NAME]", without NAME when it is the hostname, and 127.0.0.1
// for an empty IP; "" when both names are empty. A container that joins
// another's network adds its own to that one's file, as podman does.
func HostsLine(ip, hostname, name string) string {
	var names []string
	for _, n := range []string{hostname, name} {
		if n != "" && (len(names) == 0 || names[0] != n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	if ip == "" {
		ip = "127.0.0.1"
	}
	return fmt.Sprintf("%s\t%s\n", ip, strings.Join(names, " "))
}

// ResolvConf renders the container's /etc/resolv.conf from the host's
// (host, the file's contents). nameservers, when given, replace the host's
// nameserver lines; the host's loopback nameservers (127.0.0.0/8, ::1) are
// never copied, as in the container they would be its own loopback.
// search, when given, replaces the host's search (or domain) line, and "."
// alone means none. The host's options lines are kept; comments and other
// lines are dropped. The result has no nameserver when none is given and
// the host has only loopback ones; a backend's DNS forwarder (slirp4netns's
// 10.0.2.3) belongs in nameservers. With --network host, give the
// container the host's file as it is instead.
func ResolvConf(host []byte, nameservers, search []string) []byte {
	var hostServers, options []string
	var hostSearch string
	for _, l := range strings.Split(string(host), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if addr, err := netip.ParseAddr(f[1]); err == nil && !addr.Unmap().IsLoopback() {
				hostServers = append(hostServers, f[1])
			}
		case "search", "domain":
			// The resolver takes the last of these lines.
			hostSearch = strings.Join(f, " ")
		case "options":
			options = append(options, strings.Join(f, " "))
		}
	}
	if len(nameservers) == 0 {
		nameservers = hostServers
	}
	var b strings.Builder
	for _, ns := range nameservers {
		b.WriteString("nameserver " + ns + "\n")
	}
	switch {
	case len(search) == 1 && search[0] == ".":
	case len(search) > 0:
		b.WriteString("search " + strings.Join(search, " ") + "\n")
	case hostSearch != "":
		b.WriteString(hostSearch + "\n")
	}
	for _, o := range options {
		b.WriteString(o + "\n")
	}
	return []byte(b.String())
}

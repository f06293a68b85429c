package opts

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/network"
)

// Network are the network flags of rl run, rl create and rl pod create.
type Network struct {
	Modes      []string // --network (--net), repeatable for user-defined networks
	Aliases    []string // --network-alias
	IP         string   // --ip
	MAC        string   // --mac-address
	Publish    []string // -p
	PublishAll bool     // -P
	DNS        []string // --dns
	DNSSearch  []string // --dns-search
	AddHosts   []string // --add-host
}

// Net parses the network flags and checks that they agree.
func (f Network) Net() (config.Net, error) {
	o := config.Net{PublishAll: f.PublishAll}
	var err error
	if o.DNSSearch, err = parseAll(f.DNSSearch, ParseDNSSearch); err != nil {
		return o, err
	}
	if o.Mode, err = parseNetworks(f.Modes); err != nil {
		return o, err
	}
	if err := AttachOptions(&o.Mode, f.Aliases, f.IP, f.MAC); err != nil {
		return o, err
	}
	ports, err := parseAll(f.Publish, ParsePublish)
	if err != nil {
		return o, err
	}
	o.Ports = slices.Concat(ports...)
	if o.DNS, err = parseAll(f.DNS, ParseDNS); err != nil {
		return o, err
	}
	if o.AddHosts, err = parseAll(f.AddHosts, ParseAddHost); err != nil {
		return o, err
	}
	if o.Mode.Name == network.Container {
		// The network, its /etc/hosts and resolv.conf are the other
		// container's; podman refuses these too.
		switch {
		case len(o.Ports) > 0 || o.PublishAll:
			return o, fmt.Errorf("cannot publish ports with --network %s: the network is that container's; publish them when you create it", o.Mode)
		case len(o.DNS) > 0 || len(o.DNSSearch) > 0:
			return o, fmt.Errorf("--dns and --dns-search cannot be used with --network %s: the container uses that container's resolv.conf", o.Mode)
		case len(o.AddHosts) > 0:
			return o, fmt.Errorf("--add-host cannot be used with --network %s: the container uses that container's /etc/hosts", o.Mode)
		}
	}
	if (len(o.Ports) > 0 || o.PublishAll) && !o.Mode.OwnStack() && o.Mode.Name != network.Bridge {
		return o, fmt.Errorf("cannot publish ports with --network %s: the container has no network of its own to forward to; use --network slirp4netns or pasta", o.Mode.Name)
	}
	if (len(o.DNS) > 0 || len(o.DNSSearch) > 0) && o.Mode.Name == network.None {
		return o, errors.New("--dns and --dns-search need a network: drop them or use --network slirp4netns or pasta")
	}
	return o, checkDuplicates(o.Ports)
}

// parseNetworks parses the --network values: one mode, or several
// user-defined networks.
func parseNetworks(values []string) (network.Mode, error) {
	if len(values) == 0 {
		return ParseNetwork("")
	}
	var m network.Mode
	for i, v := range values {
		one, err := ParseNetwork(v)
		if err != nil {
			return m, err
		}
		if i > 0 && (one.Name != network.Bridge || m.Name != network.Bridge) {
			return m, fmt.Errorf("invalid --network %q: only user-defined networks can be given more than once (hint: drop the other --network)", v)
		}
		if i == 0 {
			m = one
			continue
		}
		if slices.ContainsFunc(m.Networks, func(a network.Attachment) bool { return a.Network == one.Networks[0].Network }) {
			return m, fmt.Errorf("invalid --network %q: the network is given twice", v)
		}
		m.Networks = append(m.Networks, one.Networks...)
	}
	return m, nil
}

// AttachOptions applies --network-alias (to every network, as podman),
// --ip and --mac-address (to the only one) to a mode of user-defined
// networks.
func AttachOptions(m *network.Mode, aliases []string, ip, mac string) error {
	if len(aliases) == 0 && ip == "" && mac == "" {
		return nil
	}
	if m.Name != network.Bridge {
		return fmt.Errorf("--network-alias, --ip and --mac-address need a user-defined network, not --network %s (hint: rl network create NAME, then --network NAME)", m)
	}
	if (ip != "" || mac != "") && len(m.Networks) > 1 {
		return errors.New("--ip and --mac-address cannot be used with more than one --network (hint: give --network NAME:ip=IP,mac=MAC for each)")
	}
	for _, a := range aliases {
		if err := checkAlias(a); err != nil {
			return err
		}
		for i := range m.Networks {
			m.Networks[i].Aliases = append(m.Networks[i].Aliases, a)
		}
	}
	if err := setAttachment(&m.Networks[0], "ip", ip, ip != "", "--ip"); err != nil {
		return err
	}
	return setAttachment(&m.Networks[0], "mac", mac, mac != "", "--mac-address")
}

// ParseNetwork parses a --network value, in podman's syntax NAME[:OPTIONS];
// "" is the default, slirp4netns. Any other NAME names a user-defined
// network (bridge: the default one, podman), with the options alias=NAME,
// ip=IP and mac=MAC (web:alias=www,ip=10.89.0.5). slirp4netns takes the comma-separated
// options mtu, allow_host_loopback and port_handler
// (slirp4netns:mtu=1500,port_handler=slirp4netns); pasta takes pasta's own
// arguments (pasta:--mtu,1500,-T,8080); none and host take none;
// container takes the name or id of the container whose network to join
// (container:web).
func ParseNetwork(s string) (network.Mode, error) {
	if s == "" {
		s = network.Slirp4netns
	}
	name, opts, hasOpts := strings.Cut(s, ":")
	var m network.Mode
	var err error
	switch name {
	case network.Slirp4netns:
		m = network.Mode{Name: network.Slirp4netns, MTU: network.DefaultMTU, PortHandler: network.PortHandlerRootlesskit}
		if hasOpts {
			err = setSlirpOptions(&m, strings.Split(opts, ","))
		}
	case network.Pasta:
		m = network.Mode{Name: network.Pasta, MTU: network.DefaultMTU}
		if hasOpts {
			err = setPastaArgs(&m, strings.Split(opts, ","))
		}
	case network.None, network.Host:
		m = network.Mode{Name: name}
		if hasOpts {
			err = fmt.Errorf("%s takes no options", name)
		}
	case network.Container:
		m = network.Mode{Name: name, Container: opts}
		if opts == "" {
			err = errors.New("container: needs the name or id of a container, as in container:web")
		}
	default:
		if name == network.Bridge {
			name = network.DefaultNetwork
		}
		if !config.ValidName(name) || name == "" {
			return network.Mode{}, fmt.Errorf("invalid --network %q: use slirp4netns, pasta, none, host, container:NAME or the name of a network", s)
		}
		m = network.Mode{Name: network.Bridge, Networks: []network.Attachment{{Network: name}}}
		if hasOpts {
			err = setAttachmentOptions(&m.Networks[0], strings.Split(opts, ","))
		}
	}
	if err != nil {
		return network.Mode{}, fmt.Errorf("invalid --network %q: %w", s, err)
	}
	return m, nil
}

// slirpUsage lists slirp4netns's options, for errors.
const slirpUsage = "use mtu=N, allow_host_loopback=true|false or port_handler=rootlesskit|slirp4netns"

// setSlirpOptions applies slirp4netns's KEY=VALUE options; a later one
// wins over an earlier one.
func setSlirpOptions(m *network.Mode, opts []string) error {
	for _, o := range opts {
		key, value, _ := strings.Cut(o, "=")
		switch key {
		case "mtu":
			mtu, err := parseMTU(value)
			if err != nil {
				return err
			}
			m.MTU = mtu
		case "allow_host_loopback":
			b, err := strconv.ParseBool(value)
			if err != nil {
				return fmt.Errorf("invalid allow_host_loopback %q: want true or false", value)
			}
			m.AllowHostLoopback = b
		case "port_handler":
			if value != network.PortHandlerRootlesskit && value != network.PortHandlerSlirp4netns {
				return fmt.Errorf("invalid port_handler %q: want rootlesskit or slirp4netns", value)
			}
			m.PortHandler = value
		default:
			return fmt.Errorf("unknown option %q: %s", o, slirpUsage)
		}
	}
	return nil
}

// setPastaArgs keeps pasta's arguments, but for its MTU option (--mtu N,
// --mtu=N, -m N, -mN, or --mt, which getopt takes for --mtu), which goes
// to m.MTU: rl always gives pasta an --mtu, and pasta refuses two.
func setPastaArgs(m *network.Mode, args []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "" {
			return errors.New("empty pasta argument: write pasta:ARG,ARG,... (pasta:--mtu,1500)")
		}
		name, value, hasValue := strings.Cut(a, "=")
		switch {
		case name == "--mtu" || name == "--mt" || a == "-m":
			if !hasValue {
				if i+1 == len(args) {
					return fmt.Errorf("pasta option %s needs a value (%s,1500)", a, a)
				}
				i++
				value = args[i]
			}
		case strings.HasPrefix(a, "-m") && !strings.HasPrefix(a, "--"):
			value = a[2:]
		default:
			m.PastaArgs = append(m.PastaArgs, a)
			continue
		}
		mtu, err := parseMTU(value)
		if err != nil {
			return err
		}
		m.MTU = mtu
	}
	return nil
}

// parseMTU parses an MTU option's value.
func parseMTU(s string) (int, error) {
	mtu, err := strconv.Atoi(s)
	if err != nil || mtu < network.MinMTU || mtu > network.MaxMTU {
		return 0, fmt.Errorf("invalid mtu %q: want a number from %d to %d", s, network.MinMTU, network.MaxMTU)
	}
	return mtu, nil
}

// publishUsage is the syntax of -p, for errors.
const publishUsage = "want [[IP:][HOST-PORT]:]CONTAINER-PORT[/tcp|udp], as in 8080:80, 127.0.0.1::80/udp, [::1]:8080:80 or 8000-8009:80-89"

// ParsePublish parses a -p/--publish value as docker does:
// [[IP:][HOST-PORT]:]CONTAINER-PORT[/PROTO], one mapping per port. A
// missing host port is chosen at start; an IPv6 address goes in brackets
// ([::1]:8080:80); PROTO is tcp (the default) or udp. Ports may be ranges
// (8000-8009:80-89, or 80-89 alone), the host's as long as the
// container's.
func ParsePublish(s string) ([]network.PortMapping, error) {
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
	c1, c2, err := network.ParsePortRange(ctrPorts)
	if err != nil {
		return nil, bad("container port: %v", err)
	}
	h1, h2 := 0, 0
	if hostPorts != "" {
		if h1, h2, err = network.ParsePortRange(hostPorts); err != nil {
			if _, ipErr := netip.ParseAddr(hostPorts); ipErr == nil {
				return nil, bad("host port %q is an address (for any host port on it, write %s::%s)", hostPorts, hostPorts, ctrPorts)
			}
			return nil, bad("host port: %v", err)
		}
		if h2-h1 != c2-c1 {
			return nil, bad("host ports %s and container ports %s differ in number", hostPorts, ctrPorts)
		}
	}

	ms := make([]network.PortMapping, 0, c2-c1+1)
	for i := 0; i <= c2-c1; i++ {
		m := network.PortMapping{HostIP: ip, ContainerPort: c1 + i, Proto: proto}
		if h1 != 0 {
			m.HostPort = h1 + i
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// checkDuplicates refuses two mappings that would listen on the same host
// port and protocol, on the same address or where either is a wildcard
// address (all addresses: "", 0.0.0.0, ::). Host ports still to be chosen
// (0) pass.
func checkDuplicates(ms []network.PortMapping) error {
	type key struct {
		port  int
		proto string
	}
	seen := map[key][]network.PortMapping{}
	for _, m := range ms {
		if m.HostPort == 0 {
			continue
		}
		k := key{m.HostPort, m.Proto}
		for _, o := range seen[k] {
			if o.HostIP == m.HostIP || isWildcard(o.HostIP) || isWildcard(m.HostIP) {
				return fmt.Errorf("cannot publish host port %d/%s twice (%s and %s): give each -p its own host port or address",
					m.HostPort, m.Proto, o.HostAddr(), m.HostAddr())
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

// ParseAddHost parses an --add-host value NAME:IP (IPv6 as it is or in
// brackets: db:fd00::1, db:[fd00::1]) and returns it as NAME:IP with the
// address in its canonical form, as network.Hosts takes it. The IP must be
// a literal address; docker's host-gateway is not supported.
func ParseAddHost(s string) (string, error) {
	name, ip, ok := strings.Cut(s, ":")
	if !ok || name == "" || ip == "" {
		return "", fmt.Errorf("invalid --add-host %q: want NAME:IP, as in db:10.0.2.5", s)
	}
	for _, r := range name {
		if r <= ' ' || r == '#' || r == 0x7f {
			return "", fmt.Errorf("invalid --add-host %q: the name may not hold spaces, control characters or '#'", s)
		}
	}
	if ip == "host-gateway" {
		return "", fmt.Errorf("invalid --add-host %q: host-gateway is not supported; give an IP address, or use the name host.containers.internal", s)
	}
	if len(ip) > 2 && ip[0] == '[' && ip[len(ip)-1] == ']' {
		ip = ip[1 : len(ip)-1]
	}
	addr, err := parseAddr(ip)
	if errors.Is(err, errBadZone) {
		return "", fmt.Errorf("invalid --add-host %q: %w", s, err)
	}
	if err != nil {
		return "", fmt.Errorf("invalid --add-host %q: %q is not an IP address; want NAME:IP, as in db:10.0.2.5", s, ip)
	}
	return name + ":" + addr.String(), nil
}

// ParseDNS parses a --dns value, an IP address, and returns it in its
// canonical form.
func ParseDNS(s string) (string, error) {
	addr, err := parseAddr(s)
	if errors.Is(err, errBadZone) {
		return "", fmt.Errorf("invalid --dns %q: %w", s, err)
	}
	if err != nil {
		return "", fmt.Errorf("invalid --dns %q: want an IP address, as in 1.1.1.1 or 2606:4700:4700::1111", s)
	}
	return addr.String(), nil
}

// parseAddr parses an IP address for a line of /etc/hosts or
// /etc/resolv.conf. netip.ParseAddr takes any bytes after an IPv6
// address's '%' as its zone (fe80::1%eth0), a newline too, and String
// gives them back: "fe80::1%x\nnameserver 6.6.6.6" would write a second
// nameserver line. A zone here is an interface name or number: printable,
// without spaces or the files' comment characters.
func parseAddr(s string) (netip.Addr, error) {
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return addr, err
	}
	if z := addr.Zone(); z != "" && strings.ContainsFunc(z, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '#' || r == ';' }) {
		return netip.Addr{}, errBadZone
	}
	return addr, nil
}

// errBadZone is parseAddr's error for a zone that is no interface name.
var errBadZone = errors.New("the zone after % must be an interface name or number, as in fe80::1%eth0")

// ParseDNSSearch checks a --dns-search value: a domain name, as the
// resolver takes it (letters, digits, '-' and '_' in labels of up to 63
// characters, at most 253 in all, an optional final dot), or "." for no
// search domains at all (as docker). Anything else would end the search
// line of /etc/resolv.conf early or start another line.
func ParseDNSSearch(s string) (string, error) {
	if s == "." {
		return s, nil
	}
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("invalid --dns-search %q: %s; want a domain name, as in example.com, or . for none", s, why)
	}
	name := strings.TrimSuffix(s, ".")
	if name == "" {
		return bad("empty")
	}
	if len(name) > 253 {
		return bad("longer than 253 characters")
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" {
			return bad("empty label")
		}
		if len(label) > 63 {
			return bad("a label is longer than 63 characters")
		}
		if strings.ContainsFunc(label, func(r rune) bool {
			return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_'
		}) {
			return bad("only letters, digits, '-' and '_' may be in a label (an international name in its xn-- form)")
		}
	}
	return s, nil
}

// setAttachmentOptions applies a user-defined network's KEY=VALUE options.
func setAttachmentOptions(a *network.Attachment, opts []string) error {
	for _, o := range opts {
		key, value, _ := strings.Cut(o, "=")
		if err := setAttachment(a, key, value, true, o); err != nil {
			return err
		}
	}
	return nil
}

// setAttachment sets one option of a network attachment (what names it in
// errors); given false is no option at all.
func setAttachment(a *network.Attachment, key, value string, given bool, what string) error {
	if !given {
		return nil
	}
	switch key {
	case "alias":
		if err := checkAlias(value); err != nil {
			return err
		}
		a.Aliases = append(a.Aliases, value)
	case "ip":
		addr, err := netip.ParseAddr(value)
		if err != nil || !addr.Is4() {
			return fmt.Errorf("invalid %s %q: want an IPv4 address inside the network's subnet", what, value)
		}
		a.IP = addr.String()
	case "mac":
		hw, err := net.ParseMAC(value)
		if err != nil || len(hw) != 6 {
			return fmt.Errorf("invalid %s %q: want a MAC address, as in 92:d0:c6:0a:29:33", what, value)
		}
		a.MAC = hw.String()
	case "interface_name":
		if !validInterface(value) {
			return fmt.Errorf("invalid %s %q: want an interface name of 1 to 15 characters, none of them '/', ':' or a space", what, value)
		}
		a.Interface = value
	default:
		return fmt.Errorf("unknown option %q: use alias=NAME, ip=IP, mac=MAC or interface_name=NAME", what)
	}
	return nil
}

// validInterface is true for a name the kernel takes for an interface
// (dev_valid_name): 1 to 15 bytes, not . or .., no '/', ':' or space.
func validInterface(n string) bool {
	return n != "" && len(n) < 16 && n != "." && n != ".." && !strings.ContainsAny(n, "/: \t\n\v\f\r")
}

// checkAlias refuses an alias that is no name aardvark-dns could answer.
func checkAlias(a string) error {
	if a == "" || !config.ValidName(a) {
		return fmt.Errorf("invalid network alias %q: %s", a, config.NameRule)
	}
	return nil
}

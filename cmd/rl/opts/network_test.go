package opts

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/rl-containers/rl/rootless/network"
)

func TestParsePublish(t *testing.T) {
	tcp := func(ip string, host, ctr int) network.PortMapping {
		return network.PortMapping{HostIP: ip, HostPort: host, ContainerPort: ctr, Proto: "tcp"}
	}
	udp := func(ip string, host, ctr int) network.PortMapping {
		return network.PortMapping{HostIP: ip, HostPort: host, ContainerPort: ctr, Proto: "udp"}
	}
	tests := []struct {
		in      string
		want    []network.PortMapping
		wantErr string // a substring of the error; "" means success
	}{
		{in: "80", want: []network.PortMapping{tcp("", 0, 80)}},
		{in: "80/tcp", want: []network.PortMapping{tcp("", 0, 80)}},
		{in: "53/udp", want: []network.PortMapping{udp("", 0, 53)}},
		{in: "53/UDP", want: []network.PortMapping{udp("", 0, 53)}},
		{in: "8080:80", want: []network.PortMapping{tcp("", 8080, 80)}},
		{in: ":80", want: []network.PortMapping{tcp("", 0, 80)}},
		{in: "65535:1", want: []network.PortMapping{tcp("", 65535, 1)}},
		{in: "127.0.0.1:8080:80", want: []network.PortMapping{tcp("127.0.0.1", 8080, 80)}},
		{in: "127.0.0.1::80/udp", want: []network.PortMapping{udp("127.0.0.1", 0, 80)}},
		{in: "0.0.0.0:8080:80", want: []network.PortMapping{tcp("0.0.0.0", 8080, 80)}},
		{in: "::80", want: []network.PortMapping{tcp("", 0, 80)}},
		{in: "[::1]:8080:80", want: []network.PortMapping{tcp("::1", 8080, 80)}},
		{in: "[::]::80", want: []network.PortMapping{tcp("::", 0, 80)}},
		{in: "[0:0::1]:8080:80/udp", want: []network.PortMapping{udp("::1", 8080, 80)}},
		{in: "[fd00::5]:8443:443", want: []network.PortMapping{tcp("fd00::5", 8443, 443)}},
		{in: "8000-8002:80-82", want: []network.PortMapping{tcp("", 8000, 80), tcp("", 8001, 81), tcp("", 8002, 82)}},
		{in: "80-82", want: []network.PortMapping{tcp("", 0, 80), tcp("", 0, 81), tcp("", 0, 82)}},
		{in: "10.0.0.1::80-81/udp", want: []network.PortMapping{udp("10.0.0.1", 0, 80), udp("10.0.0.1", 0, 81)}},
		{in: "[::1]:9000-9001:90-91", want: []network.PortMapping{tcp("::1", 9000, 90), tcp("::1", 9001, 91)}},
		{in: "8080-8080:80-80", want: []network.PortMapping{tcp("", 8080, 80)}},

		{in: "", wantErr: `invalid --publish "": container port: "" is not a port number from 1 to 65535; want [[IP:][HOST-PORT]:]CONTAINER-PORT`},
		{in: "0", wantErr: `container port: "0" is not a port number`},
		{in: "65536", wantErr: `container port: "65536" is not a port number`},
		{in: "http", wantErr: `"http" is not a port number`},
		{in: "+80", wantErr: `"+80" is not a port number`},
		{in: "-80", wantErr: `"" is not a port number`},
		{in: "0:80", wantErr: `host port: "0" is not a port number`},
		{in: "8080:", wantErr: `container port: ""`},
		{in: "80/sctp", wantErr: `invalid --publish "80/sctp": sctp is not supported`},
		{in: "80/icmp", wantErr: `unknown protocol "icmp"`},
		{in: "80/", wantErr: `unknown protocol ""`},
		{in: "80/tcp/udp", wantErr: `unknown protocol "tcp/udp"`},
		{in: "localhost:8080:80", wantErr: `host address "localhost" is not an IP address`},
		{in: "127.0.0.1:80", wantErr: `host port "127.0.0.1" is an address (for any host port on it, write 127.0.0.1::80)`},
		{in: "::1:8080:80", wantErr: "too many colons (an IPv6 address goes in brackets)"},
		{in: "[::1]:80", wantErr: "[IP]: must be followed by HOST-PORT:CONTAINER-PORT"},
		{in: "[::1:8080:80", wantErr: "no ]: after the bracketed address"},
		{in: "[]:8080:80", wantErr: "empty brackets"},
		{in: "[nope]:8080:80", wantErr: `host address "nope" is not an IP address`},
		{in: "8000-8001:80-82", wantErr: "host ports 8000-8001 and container ports 80-82 differ in number"},
		{in: "8000-8002:80", wantErr: "differ in number"},
		{in: "8080:80-81", wantErr: "differ in number"},
		{in: "82-80", wantErr: `range "82-80" runs backwards`},
		{in: "8000-:80", wantErr: `host port: "" is not a port number`},
		{in: "80-81-82", wantErr: `"81-82" is not a port number`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePublish(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParsePublish(%q) = %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePublish(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParsePublish(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseNetwork(t *testing.T) {
	slirp := func(mtu int, loopback bool, handler string) network.Mode {
		return network.Mode{Name: network.Slirp4netns, MTU: mtu, AllowHostLoopback: loopback, PortHandler: handler}
	}
	bridge := func(a network.Attachment) network.Mode {
		return network.Mode{Name: network.Bridge, Networks: []network.Attachment{a}}
	}
	pasta := func(mtu int, args ...string) network.Mode {
		return network.Mode{Name: network.Pasta, MTU: mtu, PastaArgs: args}
	}
	tests := []struct {
		in      string
		want    network.Mode
		wantErr string // a substring of the error; "" means success
	}{
		{in: "", want: slirp(65520, false, "rootlesskit")},
		{in: "slirp4netns", want: slirp(65520, false, "rootlesskit")},
		{in: "slirp4netns:mtu=1500", want: slirp(1500, false, "rootlesskit")},
		{in: "slirp4netns:mtu=1280", want: slirp(1280, false, "rootlesskit")},
		{in: "slirp4netns:mtu=65521", want: slirp(65521, false, "rootlesskit")},
		{in: "slirp4netns:allow_host_loopback=true", want: slirp(65520, true, "rootlesskit")},
		{in: "slirp4netns:allow_host_loopback=false", want: slirp(65520, false, "rootlesskit")},
		{in: "slirp4netns:port_handler=slirp4netns", want: slirp(65520, false, "slirp4netns")},
		{in: "slirp4netns:port_handler=rootlesskit", want: slirp(65520, false, "rootlesskit")},
		{in: "slirp4netns:mtu=9000,allow_host_loopback=true,port_handler=slirp4netns", want: slirp(9000, true, "slirp4netns")},
		{in: "slirp4netns:mtu=9000,mtu=1500", want: slirp(1500, false, "rootlesskit")},
		{in: "pasta", want: pasta(65520)},
		{in: "pasta:-T,8080", want: pasta(65520, "-T", "8080")},
		{in: "pasta:--mtu,1500", want: pasta(1500)},
		{in: "pasta:--mtu=1500,-T,8080", want: pasta(1500, "-T", "8080")},
		{in: "pasta:-T,8080,-m,9000", want: pasta(9000, "-T", "8080")},
		{in: "pasta:-m1500", want: pasta(1500)},
		{in: "pasta:--mt,1500", want: pasta(1500)},
		{in: "pasta:--map-gw", want: pasta(65520, "--map-gw")},
		{in: "none", want: network.Mode{Name: network.None}},
		{in: "host", want: network.Mode{Name: network.Host}},
		{in: "container:web", want: network.Mode{Name: network.Container, Container: "web"}},
		{in: "container:3f2a", want: network.Mode{Name: network.Container, Container: "3f2a"}},

		{in: "bridge", want: bridge(network.Attachment{Network: "podman"})},
		{in: "private", want: bridge(network.Attachment{Network: "private"})},
		{in: "web:alias=www,alias=w2,ip=10.89.0.5,mac=92:D0:c6:0a:29:33", want: bridge(network.Attachment{
			Network: "web", Aliases: []string{"www", "w2"}, IP: "10.89.0.5", MAC: "92:d0:c6:0a:29:33",
		})},

		{in: "web:ip=10.89.0", wantErr: `invalid ip=10.89.0 "10.89.0": want an IPv4 address`},
		{in: "web:alias=a b", wantErr: `invalid network alias "a b"`},
		{in: "web:mac=zz", wantErr: `invalid mac=zz "zz": want a MAC address`},
		{in: "web:mtu=1500", wantErr: `unknown option "mtu=1500": use alias=NAME, ip=IP, mac=MAC or interface_name=NAME`},
		{in: "web:interface_name=first", want: bridge(network.Attachment{Network: "web", Interface: "first"})},
		{in: "web:interface_name=a/b", wantErr: `invalid interface_name=a/b "a/b": want an interface name`},
		{in: "web:interface_name=sixteen-letters!", wantErr: `invalid interface_name=sixteen-letters!`},
		{in: "-net", wantErr: "use slirp4netns, pasta, none, host, container:NAME or the name of a network"},
		{in: ":mtu=1500", wantErr: "use slirp4netns, pasta, none, host, container:NAME or the name of a network"},
		{in: "container", wantErr: `invalid --network "container": container: needs the name or id of a container`},
		{in: "container:", wantErr: "container: needs the name or id"},
		{in: "none:x", wantErr: `invalid --network "none:x": none takes no options`},
		{in: "host:", wantErr: "host takes no options"},
		{in: "slirp4netns:", wantErr: `unknown option "": use mtu=N`},
		{in: "slirp4netns:cidr=10.0.3.0/24", wantErr: `unknown option "cidr=10.0.3.0/24": use mtu=N, allow_host_loopback=true|false or port_handler=rootlesskit|slirp4netns`},
		{in: "slirp4netns:mtu=1500,", wantErr: `unknown option ""`},
		{in: "slirp4netns:mtu", wantErr: `invalid mtu "": want a number from 1280 to 65521`},
		{in: "slirp4netns:mtu=1279", wantErr: `invalid mtu "1279"`},
		{in: "slirp4netns:mtu=65522", wantErr: `invalid mtu "65522"`},
		{in: "slirp4netns:mtu=big", wantErr: `invalid mtu "big"`},
		{in: "slirp4netns:allow_host_loopback=maybe", wantErr: `invalid allow_host_loopback "maybe": want true or false`},
		{in: "slirp4netns:port_handler=pasta", wantErr: `invalid port_handler "pasta": want rootlesskit or slirp4netns`},
		{in: "pasta:", wantErr: "empty pasta argument"},
		{in: "pasta:-T,,8080", wantErr: "empty pasta argument"},
		{in: "pasta:--mtu", wantErr: "pasta option --mtu needs a value (--mtu,1500)"},
		{in: "pasta:-m", wantErr: "pasta option -m needs a value"},
		{in: "pasta:--mtu,100", wantErr: `invalid mtu "100"`},
		{in: "pasta:--mtu=", wantErr: `invalid mtu ""`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseNetwork(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseNetwork(%q) = %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "invalid --network "+`"`+tt.in+`"`) {
					t.Errorf("ParseNetwork(%q) error %q does not name the value", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseNetwork(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseNetwork(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAddHost(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  string // a substring of the error; "" means success
	}{
		{in: "db:10.0.2.5", want: "db:10.0.2.5"},
		{in: "my.db-1_x:10.0.2.5", want: "my.db-1_x:10.0.2.5"},
		{in: "v6:fd00::1", want: "v6:fd00::1"},
		{in: "v6:[fd00::1]", want: "v6:fd00::1"},
		{in: "v6:FD00:0::1", want: "v6:fd00::1"},
		{in: "lo:::1", want: "lo:::1"},

		{in: "db", wantErr: `invalid --add-host "db": want NAME:IP, as in db:10.0.2.5`},
		{in: ":10.0.2.5", wantErr: "want NAME:IP"},
		{in: "db:", wantErr: "want NAME:IP"},
		{in: "", wantErr: "want NAME:IP"},
		{in: "db=10.0.2.5", wantErr: "want NAME:IP"},
		{in: "my db:10.0.2.5", wantErr: "may not hold spaces, control characters or '#'"},
		{in: "db#1:10.0.2.5", wantErr: "may not hold spaces"},
		{in: "db\n:10.0.2.5", wantErr: "may not hold spaces"},
		{in: "h:host-gateway", wantErr: `invalid --add-host "h:host-gateway": host-gateway is not supported; give an IP address, or use the name host.containers.internal`},
		{in: "db:example.com", wantErr: `"example.com" is not an IP address`},
		{in: "db:10.0.2", wantErr: `"10.0.2" is not an IP address`},
		{in: "v6:[fd00::1", wantErr: `"[fd00::1" is not an IP address`},
		{in: "v6:[]", wantErr: `"[]" is not an IP address`},
		{in: "ll:fe80::1%eth0", want: "ll:fe80::1%eth0"},
		{in: "ll:[fe80::1%2]", want: "ll:fe80::1%2"},
		{in: "ll:fe80::1%x\n6.6.6.6 evil", wantErr: `invalid --add-host "ll:fe80::1%x\n6.6.6.6 evil": the zone after % must be an interface name`},
		{in: "ll:fe80::1%a b", wantErr: "the zone after %"},
		{in: "ll:fe80::1%a#b", wantErr: "the zone after %"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAddHost(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseAddHost(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAddHost(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseAddHost(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDNS(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "1.1.1.1", want: "1.1.1.1"},
		{in: "10.0.2.3", want: "10.0.2.3"},
		{in: "2606:4700:4700::1111", want: "2606:4700:4700::1111"},
		{in: "2001:DB8:0::1", want: "2001:db8::1"},
		{in: "", wantErr: true},
		{in: "dns.google", wantErr: true},
		{in: "1.1.1", wantErr: true},
		{in: "1.1.1.1:53", wantErr: true},
		{in: "[::1]", wantErr: true},
		{in: "fe80::1%eth0", want: "fe80::1%eth0"},
		{in: "1.1.1.1 nameserver", wantErr: true},
		{in: " 1.1.1.1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDNS(tt.in)
			if tt.wantErr {
				want := `invalid --dns "` + tt.in + `": want an IP address, as in 1.1.1.1 or 2606:4700:4700::1111`
				if err == nil || err.Error() != want {
					t.Fatalf("ParseDNS(%q) = %q, %v; want error %q", tt.in, got, err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDNS(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseDNS(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDNSZone(t *testing.T) {
	for _, in := range []string{"fe80::1%x\nnameserver 6.6.6.6", "fe80::1%a b", "fe80::1%a;b", "fe80::1%\x00", "fe80::1%\u00e9"} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseDNS(in)
			want := fmt.Sprintf("invalid --dns %q: the zone after %% must be an interface name or number, as in fe80::1%%eth0", in)
			if err == nil || err.Error() != want {
				t.Fatalf("ParseDNS(%q) = %q, %v; want error %q", in, got, err, want)
			}
		})
	}
}

func TestParseDNSSearch(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string // a substring of the error; "" means success
	}{
		{in: "example.com"},
		{in: "example.com."},
		{in: "."},
		{in: "lan"},
		{in: "a-b_c.Example.COM"},
		{in: "xn--bcher-kva.example"},
		{in: strings.Repeat("a", 63) + ".com"},
		{in: "", wantErr: `invalid --dns-search "": empty; want a domain name, as in example.com, or . for none`},
		{in: "..", wantErr: "empty label"},
		{in: "a..b", wantErr: "empty label"},
		{in: ".example.com", wantErr: "empty label"},
		{in: "example.com\nnameserver 6.6.6.6", wantErr: `invalid --dns-search "example.com\nnameserver 6.6.6.6": only letters, digits`},
		{in: "a b", wantErr: "only letters, digits"},
		{in: "a\tb", wantErr: "only letters, digits"},
		{in: "a#b", wantErr: "only letters, digits"},
		{in: "a;b", wantErr: "only letters, digits"},
		{in: "bücher.example", wantErr: "xn--"},
		{in: strings.Repeat("a", 64) + ".com", wantErr: "longer than 63"},
		{in: strings.Repeat("abcdefg.", 32) + "com", wantErr: "longer than 253"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDNSSearch(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseDNSSearch(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("ParseDNSSearch(%q): error %q is more than one line", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.in {
				t.Fatalf("ParseDNSSearch(%q) = %q, %v; want it back", tt.in, got, err)
			}
		})
	}
}

func TestNetDNSSearch(t *testing.T) {
	if _, err := (Network{DNSSearch: []string{"ok.example", "bad\nline"}}).Net(); err == nil || !strings.Contains(err.Error(), "--dns-search") {
		t.Fatalf("Net with a bad --dns-search: %v, want an --dns-search error", err)
	}
	o, err := Network{DNSSearch: []string{"a.example", "b.example"}}.Net()
	if err != nil || !reflect.DeepEqual(o.DNSSearch, []string{"a.example", "b.example"}) {
		t.Fatalf("Net = %+v, %v; want the search domains kept", o.DNSSearch, err)
	}
}

func TestCheckDuplicates(t *testing.T) {
	m := func(ip string, host int, proto string) network.PortMapping {
		return network.PortMapping{HostIP: ip, HostPort: host, ContainerPort: 80, Proto: proto}
	}
	tests := []struct {
		name    string
		ms      []network.PortMapping
		wantErr string // a substring of the error; "" means success
	}{
		{name: "none"},
		{name: "high ports", ms: []network.PortMapping{m("", 8080, "tcp"), m("", 8081, "tcp")}},
		{name: "chosen later", ms: []network.PortMapping{m("", 0, "tcp"), m("", 0, "tcp")}},
		{name: "tcp and udp", ms: []network.PortMapping{m("", 8080, "tcp"), m("", 8080, "udp")}},
		{name: "two addresses", ms: []network.PortMapping{m("127.0.0.1", 8080, "tcp"), m("10.0.0.1", 8080, "tcp")}},
		{name: "v4 and v6 loopback", ms: []network.PortMapping{m("127.0.0.1", 8080, "tcp"), m("::1", 8080, "tcp")}},
		{
			name: "duplicate", ms: []network.PortMapping{m("", 8080, "tcp"), m("", 8080, "tcp")},
			wantErr: "cannot publish host port 8080/tcp twice (0.0.0.0:8080 and 0.0.0.0:8080): give each -p its own host port or address",
		},
		{name: "duplicate address", ms: []network.PortMapping{m("127.0.0.1", 8080, "udp"), m("127.0.0.1", 8080, "udp")}, wantErr: "8080/udp twice (127.0.0.1:8080 and 127.0.0.1:8080)"},
		{name: "all and one", ms: []network.PortMapping{m("", 8080, "tcp"), m("127.0.0.1", 8080, "tcp")}, wantErr: "(0.0.0.0:8080 and 127.0.0.1:8080)"},
		{name: "one and 0.0.0.0", ms: []network.PortMapping{m("127.0.0.1", 8080, "tcp"), m("0.0.0.0", 8080, "tcp")}, wantErr: "twice"},
		{name: "v6 wildcard", ms: []network.PortMapping{m("::", 8080, "tcp"), m("127.0.0.1", 8080, "tcp")}, wantErr: "([::]:8080 and 127.0.0.1:8080)"},
		{name: "range overlap", ms: []network.PortMapping{m("", 8000, "tcp"), m("", 8001, "tcp"), m("", 8001, "tcp")}, wantErr: "8001/tcp twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkDuplicates(tt.ms)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("checkDuplicates: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("checkDuplicates = %v; want error containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestNetContainer: with --network container: the network, /etc/hosts
// and resolv.conf are the other container's, so the flags that would
// change them are refused, as podman refuses them.
func TestNetContainer(t *testing.T) {
	mode := "container:web"
	o, err := Network{Modes: []string{mode}}.Net()
	if err != nil || !reflect.DeepEqual(o.Mode, network.Mode{Name: network.Container, Container: "web"}) || o.Mode.String() != mode {
		t.Fatalf("Net(%s) = %+v, %v", mode, o.Mode, err)
	}
	for _, tt := range []struct {
		f       Network
		wantErr string
	}{
		{Network{Modes: []string{mode}, Publish: []string{"8080:80"}}, "cannot publish ports with --network container:web"},
		{Network{Modes: []string{mode}, PublishAll: true}, "cannot publish ports"},
		{Network{Modes: []string{mode}, DNS: []string{"1.1.1.1"}}, "--dns and --dns-search cannot be used with --network container:web"},
		{Network{Modes: []string{mode}, DNSSearch: []string{"example.com"}}, "--dns and --dns-search"},
		{Network{Modes: []string{mode}, AddHosts: []string{"db:10.0.2.5"}}, "--add-host cannot be used with --network container:web"},
	} {
		if _, err := tt.f.Net(); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Net(%+v) = %v, want an error containing %q", tt.f, err, tt.wantErr)
		}
	}
}

func TestNetworksAndAttachOptions(t *testing.T) {
	tests := []struct {
		f       Network
		want    []network.Attachment
		wantErr string
	}{
		{f: Network{Modes: []string{"a", "b:alias=x"}, Aliases: []string{"y"}}, want: []network.Attachment{
			{Network: "a", Aliases: []string{"y"}}, {Network: "b", Aliases: []string{"x", "y"}},
		}},
		{f: Network{Modes: []string{"a"}, IP: "10.89.0.9", MAC: "92:d0:c6:0a:29:33"}, want: []network.Attachment{
			{Network: "a", IP: "10.89.0.9", MAC: "92:d0:c6:0a:29:33"},
		}},
		{f: Network{Modes: []string{"a", "a"}}, wantErr: "the network is given twice"},
		{f: Network{Modes: []string{"a", "none"}}, wantErr: "only user-defined networks can be given more than once"},
		{f: Network{Modes: []string{"host", "a"}}, wantErr: "only user-defined networks can be given more than once"},
		{f: Network{Modes: []string{"a", "b"}, IP: "10.89.0.9"}, wantErr: "cannot be used with more than one --network"},
		{f: Network{Aliases: []string{"x"}}, wantErr: "need a user-defined network, not --network slirp4netns"},
		{f: Network{Modes: []string{"a"}, IP: "fd00::1"}, wantErr: `invalid --ip "fd00::1"`},
	}
	for _, tt := range tests {
		o, err := tt.f.Net()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%+v: error %v, want one containing %q", tt.f, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%+v: %v", tt.f, err)
		}
		if !reflect.DeepEqual(o.Mode.Networks, tt.want) {
			t.Errorf("%+v: networks %+v, want %+v", tt.f, o.Mode.Networks, tt.want)
		}
	}
}

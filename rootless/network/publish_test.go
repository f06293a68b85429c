package network

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParsePublish(t *testing.T) {
	tcp := func(ip string, host, ctr int) PortMapping {
		return PortMapping{HostIP: ip, HostPort: host, ContainerPort: ctr, Proto: "tcp"}
	}
	udp := func(ip string, host, ctr int) PortMapping {
		return PortMapping{HostIP: ip, HostPort: host, ContainerPort: ctr, Proto: "udp"}
	}
	tests := []struct {
		in      string
		want    []PortMapping
		wantErr string // a substring of the error; "" means success
	}{
		{in: "80", want: []PortMapping{tcp("", 0, 80)}},
		{in: "80/tcp", want: []PortMapping{tcp("", 0, 80)}},
		{in: "53/udp", want: []PortMapping{udp("", 0, 53)}},
		{in: "53/UDP", want: []PortMapping{udp("", 0, 53)}},
		{in: "8080:80", want: []PortMapping{tcp("", 8080, 80)}},
		{in: ":80", want: []PortMapping{tcp("", 0, 80)}},
		{in: "65535:1", want: []PortMapping{tcp("", 65535, 1)}},
		{in: "127.0.0.1:8080:80", want: []PortMapping{tcp("127.0.0.1", 8080, 80)}},
		{in: "127.0.0.1::80/udp", want: []PortMapping{udp("127.0.0.1", 0, 80)}},
		{in: "0.0.0.0:8080:80", want: []PortMapping{tcp("0.0.0.0", 8080, 80)}},
		{in: "::80", want: []PortMapping{tcp("", 0, 80)}},
		{in: "[::1]:8080:80", want: []PortMapping{tcp("::1", 8080, 80)}},
		{in: "[::]::80", want: []PortMapping{tcp("::", 0, 80)}},
		{in: "[0:0::1]:8080:80/udp", want: []PortMapping{udp("::1", 8080, 80)}},
		{in: "[fd00::5]:8443:443", want: []PortMapping{tcp("fd00::5", 8443, 443)}},
		{in: "8000-8002:80-82", want: []PortMapping{tcp("", 8000, 80), tcp("", 8001, 81), tcp("", 8002, 82)}},
		{in: "80-82", want: []PortMapping{tcp("", 0, 80), tcp("", 0, 81), tcp("", 0, 82)}},
		{in: "10.0.0.1::80-81/udp", want: []PortMapping{udp("10.0.0.1", 0, 80), udp("10.0.0.1", 0, 81)}},
		{in: "[::1]:9000-9001:90-91", want: []PortMapping{tcp("::1", 9000, 90), tcp("::1", 9001, 91)}},
		{in: "8080-8080:80-80", want: []PortMapping{tcp("", 8080, 80)}},

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

func TestPortMappingString(t *testing.T) {
	tests := []struct {
		m    PortMapping
		want string
	}{
		{PortMapping{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}, "80/tcp -> 0.0.0.0:8080"},
		{PortMapping{HostIP: "127.0.0.1", HostPort: 5353, ContainerPort: 53, Proto: "udp"}, "53/udp -> 127.0.0.1:5353"},
		{PortMapping{HostIP: "::", HostPort: 8080, ContainerPort: 80, Proto: "tcp"}, "80/tcp -> [::]:8080"},
		{PortMapping{HostIP: "fd00::1", HostPort: 443, ContainerPort: 8443, Proto: "tcp"}, "8443/tcp -> [fd00::1]:443"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestCheckPorts(t *testing.T) {
	m := func(ip string, host int, proto string) PortMapping {
		return PortMapping{HostIP: ip, HostPort: host, ContainerPort: 80, Proto: proto}
	}
	tests := []struct {
		name    string
		ms      []PortMapping
		start   int
		wantErr string // a substring of the error; "" means success
	}{
		{name: "none", start: 1024},
		{name: "high ports", ms: []PortMapping{m("", 8080, "tcp"), m("", 8081, "tcp")}, start: 1024},
		{name: "port at start", ms: []PortMapping{m("", 1024, "tcp")}, start: 1024},
		{name: "chosen later", ms: []PortMapping{m("", 0, "tcp"), m("", 0, "tcp")}, start: 1024},
		{name: "low port allowed", ms: []PortMapping{m("", 80, "tcp")}, start: 80},
		{name: "root", ms: []PortMapping{m("", 1, "tcp")}, start: 0},
		{name: "tcp and udp", ms: []PortMapping{m("", 8080, "tcp"), m("", 8080, "udp")}, start: 1024},
		{name: "two addresses", ms: []PortMapping{m("127.0.0.1", 8080, "tcp"), m("10.0.0.1", 8080, "tcp")}, start: 1024},
		{name: "v4 and v6 loopback", ms: []PortMapping{m("127.0.0.1", 8080, "tcp"), m("::1", 8080, "tcp")}, start: 1024},

		{
			name: "privileged", ms: []PortMapping{m("", 80, "tcp")}, start: 1024,
			wantErr: "cannot publish port 80: ports below 1024 need privileges (net.ipv4.ip_unprivileged_port_start=1024); publish a port >= 1024 instead (-p 8080:80), or let users bind low ports: sudo sysctl net.ipv4.ip_unprivileged_port_start=80",
		},
		{
			name: "privileged, raised start", ms: []PortMapping{m("", 2000, "tcp")}, start: 10000,
			wantErr: "cannot publish port 2000: ports below 10000 need privileges (net.ipv4.ip_unprivileged_port_start=10000); publish a port >= 10000 instead (-p 10000:80)",
		},
		{name: "privileged after good", ms: []PortMapping{m("", 8080, "tcp"), m("", 443, "udp")}, start: 1024, wantErr: "cannot publish port 443"},
		{
			name: "duplicate", ms: []PortMapping{m("", 8080, "tcp"), m("", 8080, "tcp")}, start: 1024,
			wantErr: "cannot publish host port 8080/tcp twice (0.0.0.0:8080 and 0.0.0.0:8080): give each -p its own host port or address",
		},
		{name: "duplicate address", ms: []PortMapping{m("127.0.0.1", 8080, "udp"), m("127.0.0.1", 8080, "udp")}, start: 1024, wantErr: "8080/udp twice (127.0.0.1:8080 and 127.0.0.1:8080)"},
		{name: "all and one", ms: []PortMapping{m("", 8080, "tcp"), m("127.0.0.1", 8080, "tcp")}, start: 1024, wantErr: "(0.0.0.0:8080 and 127.0.0.1:8080)"},
		{name: "one and 0.0.0.0", ms: []PortMapping{m("127.0.0.1", 8080, "tcp"), m("0.0.0.0", 8080, "tcp")}, start: 1024, wantErr: "twice"},
		{name: "v6 wildcard", ms: []PortMapping{m("::", 8080, "tcp"), m("127.0.0.1", 8080, "tcp")}, start: 1024, wantErr: "([::]:8080 and 127.0.0.1:8080)"},
		{name: "range overlap", ms: []PortMapping{m("", 8000, "tcp"), m("", 8001, "tcp"), m("", 8001, "tcp")}, start: 1024, wantErr: "8001/tcp twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPorts(tt.ms, tt.start)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckPorts: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CheckPorts = %v; want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestReadPortStart(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string // content "" means no file
		want          int
	}{
		{name: "default", content: "1024\n", want: 1024},
		{name: "lowered", content: "80\n", want: 80},
		{name: "zero", content: "0\n", want: 0},
		{name: "no newline", content: "443", want: 443},
		{name: "missing", want: 1024},
		{name: "garbage", content: "many\n", want: 1024},
		{name: "negative", content: "-1\n", want: 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := readPortStart(path); got != tt.want {
				t.Errorf("readPortStart(%q) = %d, want %d", tt.content, got, tt.want)
			}
		})
	}
}

package network

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

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

func TestExposedPorts(t *testing.T) {
	tests := []struct {
		in      string
		want    []PortMapping
		wantErr string // a substring of the error; "" means success
	}{
		{in: "80", want: []PortMapping{{ContainerPort: 80, Proto: "tcp"}}},
		{in: "80/tcp", want: []PortMapping{{ContainerPort: 80, Proto: "tcp"}}},
		{in: "53/UDP", want: []PortMapping{{ContainerPort: 53, Proto: "udp"}}},
		{in: "8000-8001/udp", want: []PortMapping{{ContainerPort: 8000, Proto: "udp"}, {ContainerPort: 8001, Proto: "udp"}}},

		{in: "80/sctp", wantErr: "sctp is not supported"},
		{in: "80/icmp", wantErr: `unknown protocol "icmp"`},
		{in: "0/tcp", wantErr: `"0" is not a port number from 1 to 65535`},
		{in: "82-80", wantErr: `range "82-80" runs backwards`},
	}
	for _, tt := range tests {
		got, err := ExposedPorts(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ExposedPorts(%q) = %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ExposedPorts(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
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

		{
			name: "privileged", ms: []PortMapping{m("", 80, "tcp")}, start: 1024,
			wantErr: "cannot publish port 80: ports below 1024 need privileges (net.ipv4.ip_unprivileged_port_start=1024); publish a port >= 1024 instead (-p 8080:80), or let users bind low ports: sudo sysctl net.ipv4.ip_unprivileged_port_start=80",
		},
		{
			name: "privileged, raised start", ms: []PortMapping{m("", 2000, "tcp")}, start: 10000,
			wantErr: "cannot publish port 2000: ports below 10000 need privileges (net.ipv4.ip_unprivileged_port_start=10000); publish a port >= 10000 instead (-p 10000:80)",
		},
		{name: "privileged after good", ms: []PortMapping{m("", 8080, "tcp"), m("", 443, "udp")}, start: 1024, wantErr: "cannot publish port 443"},
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

package netconfig

import (
	"strings"
	"testing"
)

func TestPlan(t *testing.T) {
	existing := []*Network{Default(), {
		Name: "web", NetworkInterface: "podman1",
		Subnets: []Subnet{{Subnet: "10.89.0.0/24", Gateway: "10.89.0.1"}},
	}}
	tests := []struct {
		o                       Options
		name, iface, subnet, gw string
		wantErr                 string
	}{
		{o: Options{Name: "db"}, name: "db", iface: "podman2", subnet: "10.89.1.0/24", gw: "10.89.1.1"},
		{o: Options{}, name: "podman2", iface: "podman2", subnet: "10.89.1.0/24", gw: "10.89.1.1"},
		{o: Options{Name: "db", Subnet: "10.90.5.7/16", Gateway: "10.90.0.9"}, name: "db", iface: "podman2", subnet: "10.90.0.0/16", gw: "10.90.0.9"},
		{o: Options{Name: "web"}, wantErr: "network name web already used: network already exists"},
		{o: Options{Name: "a b"}, wantErr: `network name "a b" invalid`},
		{o: Options{Name: "x", Subnet: "10.89.0.128/25"}, wantErr: "subnet 10.89.0.128/25 is already used"},
		{o: Options{Name: "x", Subnet: "10.0.0.0/8"}, wantErr: "is already used"},
		{o: Options{Name: "x", Subnet: "10.0.2.0/28"}, wantErr: "the rootless network namespace (10.0.2.0/24)"},
		{o: Options{Name: "x", Subnet: "nope"}, wantErr: `invalid --subnet "nope": not a CIDR`},
		{o: Options{Name: "x", Subnet: "fd00::/64"}, wantErr: "IPv4 subnets only"},
		{o: Options{Name: "x", Subnet: "10.5.0.0/31"}, wantErr: "no room"},
		{o: Options{Name: "x", Gateway: "10.5.0.1"}, wantErr: "cannot set --gateway without --subnet"},
		{o: Options{Name: "x", Subnet: "10.5.0.0/24", Gateway: "10.5.0.0"}, wantErr: "not a host address"},
		{o: Options{Name: "x", Subnet: "10.5.0.0/24", Gateway: "10.5.0.255"}, wantErr: "not a host address"},
		{o: Options{Name: "x", DNSServers: []string{"one"}}, wantErr: `invalid --dns "one"`},
	}
	for _, tt := range tests {
		n, err := plan(tt.o, existing)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("plan(%+v): %v, want an error containing %q", tt.o, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("plan(%+v): %v", tt.o, err)
		}
		if n.Name != tt.name || n.NetworkInterface != tt.iface || n.Subnets[0].Subnet != tt.subnet || n.Subnets[0].Gateway != tt.gw || !n.DNSEnabled {
			t.Errorf("plan(%+v) = %+v", tt.o, n)
		}
	}
}

func TestCheckAddress(t *testing.T) {
	n := &Network{Name: "n", Subnets: []Subnet{{Subnet: "10.89.3.0/24", Gateway: "10.89.3.1"}}}
	for ip, ok := range map[string]bool{"10.89.3.2": true, "10.89.3.254": true, "10.89.3.1": false, "10.89.3.0": false, "10.89.3.255": false, "10.89.4.2": false, "x": false} {
		if err := n.CheckAddress(ip); (err == nil) != ok {
			t.Errorf("CheckAddress(%s) = %v", ip, err)
		}
	}
}

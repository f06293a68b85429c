package netns

import (
	"strings"
	"testing"

	"github.com/rl-containers/rl/rootless/netconfig"
)

func TestAllocate(t *testing.T) {
	n := &netconfig.Network{Name: "n", Subnets: []netconfig.Subnet{{Subnet: "10.89.3.0/29", Gateway: "10.89.3.1"}}}
	taken := map[string]bool{"10.89.3.2": true}
	tests := []struct {
		want    string
		taken   map[string]bool
		got     string
		wantErr string
	}{
		{got: "10.89.3.2"},
		{taken: taken, got: "10.89.3.3"},
		{want: "10.89.3.6", taken: taken, got: "10.89.3.6"},
		{want: "10.89.3.2", taken: taken, wantErr: "already allocated"},
		{want: "10.89.3.1", wantErr: "not a free host address"},
		{want: "10.89.3.7", wantErr: "not a free host address"}, // broadcast
		{want: "10.89.4.2", wantErr: "not a free host address"},
		{taken: map[string]bool{"10.89.3.2": true, "10.89.3.3": true, "10.89.3.4": true, "10.89.3.5": true, "10.89.3.6": true}, wantErr: "no free address"},
	}
	for _, tt := range tests {
		got, err := allocate(n, tt.want, tt.taken)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("allocate(%q, %v) = %q, %v; want error %q", tt.want, tt.taken, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.got {
			t.Errorf("allocate(%q, %v) = %q, %v; want %q", tt.want, tt.taken, got, err, tt.got)
		}
	}
}

package opts

import (
	"reflect"
	"strings"
	"testing"
)

func TestSecurityCapabilities(t *testing.T) {
	tests := []struct {
		name      string
		f         Security
		add, drop []string
		errHas    string
	}{
		{name: "names normalised", f: Security{CapAdd: []string{"net_admin,CAP_SYS_PTRACE"}, CapDrop: []string{"all"}},
			add: []string{"CAP_NET_ADMIN", "CAP_SYS_PTRACE"}, drop: []string{"ALL"}},
		{name: "unknown", f: Security{CapAdd: []string{"BOGUS"}}, errHas: `invalid --cap-add "BOGUS"`},
		{name: "unknown drop", f: Security{CapDrop: []string{"CAP_NOPE"}}, errHas: `invalid --cap-drop "CAP_NOPE"`},
		{name: "both", f: Security{CapAdd: []string{"NET_RAW"}, CapDrop: []string{"cap_net_raw"}}, errHas: "CAP_NET_RAW is in both"},
		{name: "ALL in both", f: Security{CapAdd: []string{"ALL"}, CapDrop: []string{"ALL"}}, errHas: "contradict"},
		// podman: --cap-add ALL then drops (containers/common MergeCapabilities).
		{name: "add ALL, drop one", f: Security{CapAdd: []string{"ALL"}, CapDrop: []string{"NET_RAW"}},
			add: []string{"ALL"}, drop: []string{"CAP_NET_RAW"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.f.Parse()
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("err = %v, want one with %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.CapAdd, tt.add) || !reflect.DeepEqual(s.CapDrop, tt.drop) {
				t.Errorf("add %q drop %q, want %q and %q", s.CapAdd, s.CapDrop, tt.add, tt.drop)
			}
		})
	}
}

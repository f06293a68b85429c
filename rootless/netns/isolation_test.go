package netns

import "testing"

func TestIsolationRules(t *testing.T) {
	got := string(isolationRules([]string{"podman1", "podman2"}, true))
	want := `*mangle
:RL-ISOLATION - [0:0]
-A FORWARD -j RL-ISOLATION
-A RL-ISOLATION -i podman1 -o podman1 -j RETURN
-A RL-ISOLATION -i podman2 -o podman2 -j RETURN
-A RL-ISOLATION -i podman+ -o podman+ -j DROP
COMMIT
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := string(isolationRules(nil, false)); got != "*mangle\n:RL-ISOLATION - [0:0]\n-A RL-ISOLATION -i podman+ -o podman+ -j DROP\nCOMMIT\n" {
		t.Errorf("later, without bridges: %s", got)
	}
}

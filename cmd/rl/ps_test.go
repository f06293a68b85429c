package main

import (
	"testing"
	"time"

	"github.com/rl-containers/rl/rootless/store"
)

func TestPsImageColumn(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tt := range []struct {
		st   store.State
		want string
	}{
		{store.State{Image: "busybox", ImageName: "docker.io/library/busybox:latest"}, "docker.io/library/busybox:latest"},
		{store.State{Image: "localhost/busybox:1", ImageName: "localhost/busybox:1"}, "localhost/busybox:1"},
		{store.State{Image: "f00d12345678"}, "f00d12345678"}, // by id, or a record of rl before ImageName
		{store.State{Rootfs: "/srv/root"}, "/srv/root"},
	} {
		tt.st.ID, tt.st.Created = id, time.Now()
		if got := newPsRow(tt.st, false).Image; got != tt.want {
			t.Errorf("%+v: IMAGE %q, want %q", tt.st, got, tt.want)
		}
	}
}

func TestParseFilterNamesTheFlag(t *testing.T) {
	for bad, want := range map[string]string{
		"name":      `invalid --filter "name": want KEY=VALUE`,
		"color=red": `invalid --filter "color=red": use name, id, status, exited, label, ancestor, health or pod`,
		"name=(":    "invalid --filter \"name=(\": error parsing regexp: missing closing ): `(`",
	} {
		if _, err := parseFilter([]string{bad}); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %s", bad, err, want)
		}
	}
}

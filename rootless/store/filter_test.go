package store

import (
	"errors"
	"reflect"
	"regexp/syntax"
	"testing"
)

func TestFilter(t *testing.T) {
	st := State{ID: "abcdef", Name: "web-1", Status: StatusRunning, Health: "healthy",
		Image: "127.0.0.1:5000/rl-test/busybox", ImageName: "127.0.0.1:5000/rl-test/busybox:latest", ImageID: "f00d",
		Pod: "p", PodID: "9a9a", Labels: map[string]string{"tier": "front", "empty": ""}}
	for _, tt := range []struct {
		filters []string
		want    bool
	}{
		{nil, true},
		{[]string{"name=^web"}, true},
		{[]string{"name=db"}, false},
		{[]string{"name=db", "name=web"}, true}, // one key: alternatives
		{[]string{"name=web", "status=exited"}, false},
		{[]string{"name=web", "status=running"}, true},
		{[]string{"id=abc"}, true},
		{[]string{"id=bcd"}, false},
		{[]string{"status=restarting", "status=running"}, true},
		{[]string{"ancestor=rl-test/busybox"}, true},
		{[]string{"ancestor=127.0.0.1:5000/rl-test/busybox"}, true},
		{[]string{"ancestor=127.0.0.1:5000/rl-test/busybox:latest"}, true},
		{[]string{"ancestor=f00"}, true},
		{[]string{"ancestor=alpine"}, false},
		{[]string{"health=healthy"}, true},
		{[]string{"health=unhealthy"}, false},
		{[]string{"pod=p"}, true},
		{[]string{"pod=9a"}, true},
		{[]string{"pod=q"}, false},
		{[]string{"id=ABC"}, true}, // podman's: either case
		{[]string{"id=^abc"}, true},
		{[]string{"id=[^a]"}, false},
		{[]string{"id=[0-9a-f]"}, true},
		{[]string{"label=tier"}, true},
		{[]string{"label=tier=front"}, true},
		{[]string{"label=tier=back"}, false},
		{[]string{"label=empty="}, true},
		{[]string{"label=other"}, false},
		{[]string{"status=stopped"}, false},
		{[]string{"exited=0"}, false},
	} {
		f, err := ParseFilter(tt.filters)
		if err != nil {
			t.Fatalf("%v: %v", tt.filters, err)
		}
		if got := f.Match(st); got != tt.want {
			t.Errorf("%v: got %v, want %v", tt.filters, got, tt.want)
		}
	}
	if f, _ := ParseFilter([]string{"pod=p"}); f.Match(State{Name: "alone"}) {
		t.Error("pod=p matched a container of no pod")
	}
}

func TestFilterHas(t *testing.T) {
	f, err := ParseFilter([]string{"status=exited", "name=x"})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Has("status") || !f.Has("name") || f.Has("id") {
		t.Errorf("Has: status %v, name %v, id %v", f.Has("status"), f.Has("name"), f.Has("id"))
	}
	if (Filter{}).Has("status") || !(Filter{}).Match(State{}) {
		t.Error("the zero Filter has conditions")
	}
}

func TestFilterErrors(t *testing.T) {
	for _, bad := range []string{"name", "color=red", "status=sleeping", "name=("} {
		_, err := ParseFilter([]string{"id=x", bad})
		var fe *FilterError
		if !errors.As(err, &fe) || fe.Expr != bad {
			t.Errorf("%q: error %v, want a FilterError for it", bad, err)
		}
	}
	_, err := ParseFilter([]string{"name=("})
	var re *syntax.Error
	if !errors.As(err, &re) {
		t.Errorf("name=(: %v does not wrap the regexp's error", err)
	}
}

func TestAncestorByImageName(t *testing.T) {
	digest := "sha256:" + "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"
	for _, tt := range []struct {
		st    State
		value string
		want  bool
	}{
		{State{Image: "busybox", ImageName: "docker.io/library/busybox:latest"}, "busybox", true},
		{State{Image: "docker.io/library/busybox", ImageName: "docker.io/library/busybox:latest"}, "busybox", true},
		{State{Image: "docker.io/library/busybox", ImageName: "docker.io/library/busybox:latest"}, "busybox:latest", true},
		{State{Image: "localhost/busybox:1", ImageName: "localhost/busybox:1"}, "localhost/busybox", true},
		{State{Image: "localhost/busybox:1", ImageName: "localhost/busybox:1"}, "busybox", true},
		{State{Image: "localhost/busybox:1", ImageName: "localhost/busybox:1"}, "busybox:1", false},
		{State{Image: "x@" + digest, ImageName: "docker.io/library/x@" + digest}, "x", true},
		{State{Image: "x@" + digest}, "x", true}, // a record without ImageName
		{State{Rootfs: "/r"}, "busybox", false},
	} {
		f, err := ParseFilter([]string{"ancestor=" + tt.value})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(tt.st); got != tt.want {
			t.Errorf("ancestor=%s on %+v: got %v, want %v", tt.value, tt.st, got, tt.want)
		}
	}
}

func TestImageForms(t *testing.T) {
	digest := "sha256:" + "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"", nil},
		{"docker.io/library/busybox:latest", []string{"docker.io/library/busybox:latest", "docker.io/library/busybox", "library/busybox", "busybox:latest", "busybox"}},
		{"docker.io/rl/tools:1", []string{"docker.io/rl/tools:1", "docker.io/rl/tools", "rl/tools", "rl/tools:1"}},
		{"127.0.0.1:5000/rl-test/busybox:latest", []string{"127.0.0.1:5000/rl-test/busybox:latest", "127.0.0.1:5000/rl-test/busybox", "rl-test/busybox"}},
		{"localhost/busybox:1", []string{"localhost/busybox:1", "localhost/busybox", "busybox"}},
		{"quay.io/x/y@" + digest, []string{"quay.io/x/y@" + digest, "quay.io/x/y", "x/y"}},
		{"docker.io/library/x@" + digest, []string{"docker.io/library/x@" + digest, "docker.io/library/x", "library/x", "x"}},
		// As a user wrote it, in a record of rl before ImageName.
		{"busybox:latest", []string{"busybox:latest", "busybox"}},
		{"x@" + digest, []string{"x@" + digest, "x"}},
		{"rl-test/busybox", []string{"rl-test/busybox"}},
		{"Registry/x", []string{"Registry/x", "x"}},
	} {
		if got := ImageForms(tt.name); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ImageForms(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestFilterExited(t *testing.T) {
	st := State{ID: "abcdef", Status: StatusExited, ExitCode: 1}
	for _, tt := range []struct {
		filters []string
		want    bool
	}{
		{[]string{"status=stopped"}, true},
		{[]string{"exited=1"}, true},
		{[]string{"exited=0"}, false},
		{[]string{"status=exited", "exited=0", "exited=1"}, true},
	} {
		f, err := ParseFilter(tt.filters)
		if err != nil {
			t.Fatalf("%v: %v", tt.filters, err)
		}
		if got := f.Match(st); got != tt.want {
			t.Errorf("%v: %v, want %v", tt.filters, got, tt.want)
		}
	}
	for _, bad := range []string{"exited=x", "id=(", "status=paused"} {
		if _, err := ParseFilter([]string{bad}); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}

// FuzzParseFilter fuzzes --filter: a condition parses or is refused, and a
// parsed one matches a state without panicking.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"id=^ab", "id=(", "label=k=v", "label=k", "exited=1", "exited=x", "status=stopped", "name=[", "pod=p"} {
		f.Add(s)
	}
	st := State{ID: "abcdef", Name: "n", Status: StatusExited, Labels: map[string]string{"k": "v"}}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := ParseFilter([]string{expr})
		if err != nil {
			var fe *FilterError
			if !errors.As(err, &fe) || fe.Expr != expr {
				t.Errorf("%q: %v is not a FilterError naming it", expr, err)
			}
			return
		}
		flt.Match(st)
	})
}

package rootless

import (
	"reflect"
	"testing"

	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
)

func TestPortMap(t *testing.T) {
	got := portMap([]network.PortMapping{
		{HostPort: 8080, ContainerPort: 80, Proto: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 8081, ContainerPort: 80, Proto: "tcp"},
		{HostPort: 53, ContainerPort: 53, Proto: "udp"},
	})
	want := map[string][]HostPort{
		"80/tcp": {{HostPort: "8080"}, {HostIP: "127.0.0.1", HostPort: "8081"}},
		"53/udp": {{HostPort: "53"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	if m := portMap(nil); m == nil || len(m) != 0 {
		t.Fatalf("no ports: got %v, want {}", m)
	}
}

func TestNewImageInspection(t *testing.T) {
	in := NewImageInspection(&spec.ImageInspect{ID: "abc", Digest: "sha256:d", Names: []string{"127.0.0.1:5000/x/y:1", "127.0.0.1:5000/x/y:2", "z"}})
	if want := []string{"127.0.0.1:5000/x/y@sha256:d", "z@sha256:d"}; !reflect.DeepEqual(in.RepoDigests, want) {
		t.Fatalf("RepoDigests %q, want %q", in.RepoDigests, want)
	}
	if len(in.RepoTags) != 3 || in.ID != "abc" {
		t.Fatalf("got %+v", in)
	}
}

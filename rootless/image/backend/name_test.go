package backend

import (
	"strings"
	"testing"

	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/storage"
)

func TestResolvedName(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	id := strings.Repeat("f0", 32)
	tests := []struct {
		name  string
		ref   string
		names []string // the image's names in the store
		found string   // the name the lookup found it by; "" for none
		want  string
	}{
		{"short name", "busybox", []string{"docker.io/library/busybox:latest"}, "docker.io/library/busybox:latest", "docker.io/library/busybox:latest"},
		{"short name with a tag", "busybox:1.36", []string{"docker.io/library/busybox:1.36"}, "docker.io/library/busybox:1.36", "docker.io/library/busybox:1.36"},
		{"short name found in another registry", "busybox", []string{"localhost/busybox:latest"}, "localhost/busybox:latest", "localhost/busybox:latest"},
		{"registry:port/name", "127.0.0.1:5000/rl-test/busybox", []string{"127.0.0.1:5000/rl-test/busybox:latest"}, "127.0.0.1:5000/rl-test/busybox:latest", "127.0.0.1:5000/rl-test/busybox:latest"},
		{"localhost/name:tag", "localhost/busybox:1", []string{"localhost/busybox:1"}, "localhost/busybox:1", "localhost/busybox:1"},
		{"name@digest", "x@" + digest, []string{"docker.io/library/x@" + digest}, "docker.io/library/x@" + digest, "docker.io/library/x@" + digest},
		{"docker.io/library/x", "docker.io/library/x", []string{"docker.io/library/x:latest"}, "docker.io/library/x:latest", "docker.io/library/x:latest"},
		{"the second of two names", "localhost/mine:2", []string{"127.0.0.1:5000/rl-test/busybox:latest", "localhost/mine:2"}, "127.0.0.1:5000/rl-test/busybox:latest", "localhost/mine:2"},
		{"an id", id, []string{"docker.io/library/busybox:latest"}, "docker.io/library/busybox:latest", ""},
		{"an id prefix", id[:12], []string{"docker.io/library/busybox:latest"}, "docker.io/library/busybox:latest", ""},
		{"sha256:id", "sha256:" + id, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var found reference.Named
			if tt.found != "" {
				var err error
				if found, err = reference.ParseNormalizedNamed(tt.found); err != nil {
					t.Fatal(err)
				}
			}
			img := &storage.Image{ID: id, Names: tt.names}
			if got := resolvedName(tt.ref, img, found); got != tt.want {
				t.Errorf("resolvedName(%q) = %q, want %q", tt.ref, got, tt.want)
			}
		})
	}
}

package index

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/rl-containers/rl/rootless/spec"
)

// layerDirs makes n layer directories under t.TempDir().
func layerDirs(t *testing.T, n int) []string {
	t.Helper()
	root := t.TempDir()
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = filepath.Join(root, "layer"+string(rune('a'+i)), "diff")
		if err := os.MkdirAll(dirs[i], 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dirs
}

// dirEntries lists graphRoot's names.
func dirEntries(t *testing.T, graphRoot string) []string {
	t.Helper()
	ents, err := os.ReadDir(graphRoot)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestIndexRoundTrip(t *testing.T) {
	graphRoot := t.TempDir()
	layers := layerDirs(t, 2)
	want := Index{
		"alpine": {ID: "sha-alpine", Layers: layers[:1], Config: spec.ImageConfig{
			Entrypoint:   []string{"/bin/sh"},
			Cmd:          []string{"-c", "echo hi"},
			Env:          []string{"PATH=/usr/bin:/bin"},
			WorkingDir:   "/root",
			User:         "1000:1000",
			ExposedPorts: []string{"80/tcp"},
			StopSignal:   "SIGQUIT",
		}},
		"docker.io/library/busybox:1.36": {ID: "sha-busybox", Layers: layers},
	}
	if err := want.Write(graphRoot); err != nil {
		t.Fatal(err)
	}
	got := Read(graphRoot)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Read = %#v, want %#v", got, want)
	}
	// Only the index is left: the temporary file was renamed over it.
	if names := dirEntries(t, graphRoot); !reflect.DeepEqual(names, []string{File}) {
		t.Errorf("graph root holds %v, want only %s", names, File)
	}

	// A second Write replaces the index rather than merging into it.
	next := Index{"busybox": {ID: "sha-busybox", Layers: layers[1:]}}
	if err := next.Write(graphRoot); err != nil {
		t.Fatal(err)
	}
	if got := Read(graphRoot); !reflect.DeepEqual(got, next) {
		t.Errorf("after rewrite Read = %#v, want %#v", got, next)
	}
	if names := dirEntries(t, graphRoot); !reflect.DeepEqual(names, []string{File}) {
		t.Errorf("after rewrite graph root holds %v, want only %s", names, File)
	}

	// An empty index round-trips as empty.
	if err := (Index{}).Write(graphRoot); err != nil {
		t.Fatal(err)
	}
	if got := Read(graphRoot); got == nil || len(got) != 0 {
		t.Errorf("after writing an empty index Read = %#v, want an empty map", got)
	}
}

func TestIndexWriteNoGraphRoot(t *testing.T) {
	graphRoot := filepath.Join(t.TempDir(), "missing")
	if err := (Index{"a": {ID: "x"}}).Write(graphRoot); err == nil {
		t.Fatal("Write into a missing graph root succeeded")
	}
	if _, err := os.Stat(graphRoot); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Write created %s: %v", graphRoot, err)
	}
}

// TestReadEmpty: a missing or unreadable index is an empty one
// that a resolve can add to.
func TestReadEmpty(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, graphRoot string)
	}{
		{name: "missing file", setup: func(*testing.T, string) {}},
		{name: "missing graph root", setup: func(t *testing.T, graphRoot string) {
			if err := os.Remove(graphRoot); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "index is a directory", setup: func(t *testing.T, graphRoot string) {
			if err := os.Mkdir(filepath.Join(graphRoot, File), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, content := range []string{
		"",
		"not json",
		"{",
		`{"alpine": {"id": "x", "layers": ["/l"]}`, // truncated write
		`{"alpine": {"id": "x", "layers": ["/l"]}} trailing`,
		`["alpine"]`,
		`"alpine"`,
		`42`,
		"\x00\x00\x00\x00",
	} {
		tests = append(tests, struct {
			name  string
			setup func(t *testing.T, graphRoot string)
		}{name: "corrupt " + content, setup: func(t *testing.T, graphRoot string) {
			if err := os.WriteFile(filepath.Join(graphRoot, File), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			graphRoot := filepath.Join(t.TempDir(), "graph")
			if err := os.Mkdir(graphRoot, 0o755); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, graphRoot)
			idx := Read(graphRoot)
			if idx == nil || len(idx) != 0 {
				t.Fatalf("Read = %#v, want an empty, non-nil index", idx)
			}
			if img, ok := idx.Lookup("alpine"); ok {
				t.Errorf("Lookup in an empty index = %+v", img)
			}
			idx["alpine"] = spec.Image{ID: "x"} // rl-image's resolve adds to it
		})
	}
}

func TestIndexLookup(t *testing.T) {
	layers := layerDirs(t, 3)
	gone := filepath.Join(t.TempDir(), "removed-layer", "diff")
	alpine := spec.Image{ID: "sha-alpine", Layers: layers[:2], Config: spec.ImageConfig{Cmd: []string{"/bin/sh"}}}
	busybox := spec.Image{ID: "sha-busybox", Layers: layers[2:]}
	idx := Index{
		"alpine":                          alpine,
		"docker.io/library/busybox:1.36":  busybox,
		"no-layers":                       {ID: "sha-empty"},
		"empty-layers":                    {ID: "sha-empty", Layers: []string{}},
		"layer-removed":                   {ID: "sha-gone", Layers: []string{layers[0], gone}},
		"only-layer-removed":              {ID: "sha-gone", Layers: []string{gone}},
		"quay.io/podman/hello:latest":     {ID: "sha-hello", Layers: layers[1:2]},
		"localhost/mine@sha256:0123abcd":  {ID: "sha-mine", Layers: layers},
		"registry.example:5000/team/tool": {ID: "sha-tool", Layers: layers[:1]},
	}
	tests := []struct {
		ref  string
		want *spec.Image
	}{
		// Refs match as the user wrote them, byte for byte: no
		// normalisation adds or strips a tag, a registry or a path.
		{ref: "alpine", want: &alpine},
		{ref: "alpine:latest"},
		{ref: "docker.io/library/alpine"},
		{ref: "docker.io/library/alpine:latest"},
		{ref: "library/alpine"},
		{ref: "Alpine"},
		{ref: " alpine"},
		{ref: "alpine "},
		{ref: "docker.io/library/busybox:1.36", want: &busybox},
		{ref: "busybox:1.36"},
		{ref: "busybox"},
		{ref: "docker.io/library/busybox"},
		{ref: "docker.io/library/busybox:1.37"},
		{ref: "quay.io/podman/hello:latest", want: &spec.Image{ID: "sha-hello", Layers: layers[1:2]}},
		{ref: "quay.io/podman/hello"},
		{ref: "localhost/mine@sha256:0123abcd", want: &spec.Image{ID: "sha-mine", Layers: layers}},
		{ref: "localhost/mine"},
		{ref: "registry.example:5000/team/tool", want: &spec.Image{ID: "sha-tool", Layers: layers[:1]}},
		{ref: "registry.example/team/tool"},
		{ref: ""},
		// An entry without layers is no resolution.
		{ref: "no-layers"},
		{ref: "empty-layers"},
		// An entry one of whose layer directories is gone is stale.
		{ref: "layer-removed"},
		{ref: "only-layer-removed"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, ok := idx.Lookup(tt.ref)
			if ok != (tt.want != nil) {
				t.Fatalf("Lookup(%q) ok = %v, want %v (image %+v)", tt.ref, ok, tt.want != nil, got)
			}
			if !ok {
				if got != nil {
					t.Errorf("Lookup(%q) missed but returned %+v", tt.ref, got)
				}
				return
			}
			if !reflect.DeepEqual(*got, *tt.want) {
				t.Errorf("Lookup(%q) = %+v, want %+v", tt.ref, *got, *tt.want)
			}
		})
	}

	// The result is a copy: changing it leaves the index alone.
	img, ok := idx.Lookup("alpine")
	if !ok {
		t.Fatal("Lookup(alpine) missed")
	}
	img.ID = "changed"
	if idx["alpine"].ID != "sha-alpine" {
		t.Errorf("changing Lookup's result changed the index: %+v", idx["alpine"])
	}

	// A layer removed after the index was written turns a hit into a miss.
	if err := os.RemoveAll(filepath.Dir(layers[2])); err != nil {
		t.Fatal(err)
	}
	if got, ok := idx.Lookup("docker.io/library/busybox:1.36"); ok {
		t.Errorf("Lookup after its layer was removed = %+v", got)
	}
	if _, ok := idx.Lookup("alpine"); !ok {
		t.Error("removing busybox's layer made alpine miss")
	}

	// A nil index (no entries) misses without panicking.
	if got, ok := Index(nil).Lookup("alpine"); ok || got != nil {
		t.Errorf("nil index Lookup = %+v, %v", got, ok)
	}
}

// TestIndexWriteReadLookup goes the way rl does: rl-image writes,
// rl reads and looks up.
func TestIndexWriteReadLookup(t *testing.T) {
	graphRoot := t.TempDir()
	layers := layerDirs(t, 2)
	img := spec.Image{ID: "sha-alpine", Layers: layers, Config: spec.ImageConfig{Env: []string{"A=1"}}}
	if err := (Index{"alpine:3.20": img}).Write(graphRoot); err != nil {
		t.Fatal(err)
	}
	got, ok := Read(graphRoot).Lookup("alpine:3.20")
	if !ok || !reflect.DeepEqual(*got, img) {
		t.Fatalf("Lookup = %+v, %v, want %+v", got, ok, img)
	}
	if _, ok := Read(graphRoot).Lookup("alpine"); ok {
		t.Error(`Lookup("alpine") hit an index that has only "alpine:3.20"`)
	}
}

func TestRemove(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, graphRoot string)
		wantErr bool
	}{
		{name: "present", setup: func(t *testing.T, graphRoot string) {
			if err := (Index{"alpine": {ID: "x", Layers: []string{"/"}}}).Write(graphRoot); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "missing file", setup: func(*testing.T, string) {}},
		{name: "missing graph root", setup: func(t *testing.T, graphRoot string) {
			if err := os.Remove(graphRoot); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "corrupt file", setup: func(t *testing.T, graphRoot string) {
			if err := os.WriteFile(filepath.Join(graphRoot, File), []byte("{"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		// What cannot be removed is an error, not silently kept.
		{name: "a non-empty directory in its place", wantErr: true, setup: func(t *testing.T, graphRoot string) {
			if err := os.MkdirAll(filepath.Join(graphRoot, File, "x"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			graphRoot := filepath.Join(t.TempDir(), "graph")
			if err := os.Mkdir(graphRoot, 0o755); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, graphRoot)
			err := Remove(graphRoot)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Remove = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if _, err := os.Lstat(filepath.Join(graphRoot, File)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("index still there after Remove: %v", err)
			}
			if idx := Read(graphRoot); len(idx) != 0 {
				t.Errorf("Read after Remove = %#v", idx)
			}
			// Removing again is not an error either.
			if err := Remove(graphRoot); err != nil {
				t.Errorf("second Remove = %v", err)
			}
		})
	}
}

package opts

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

func TestParseMount(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		in      string
		want    spec.Mount
		wantErr string
	}{
		{in: "type=volume,source=v,target=/d", want: spec.Mount{Kind: spec.Volume, Source: "v", Destination: "/d", CopyUp: true}},
		{in: "src=v,dst=/d/,readonly", want: spec.Mount{Kind: spec.Volume, Source: "v", Destination: "/d", ReadOnly: true, CopyUp: true}},
		{in: "target=/d,volume-nocopy=true", want: spec.Mount{Kind: spec.Volume, Destination: "/d"}},
		{in: "type=bind,source=" + dir + ",target=/d,ro=true,bind-propagation=rprivate", want: spec.Mount{Kind: spec.Bind, Source: dir, Destination: "/d", ReadOnly: true}},
		{in: "type=bind,src=" + dir + ",target=/d,readonly=false,U", want: spec.Mount{Kind: spec.Bind, Source: dir, Destination: "/d", Chown: true}},
		{in: "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Data: "size=1m,mode=1777", Flags: unix.MS_NOSUID | unix.MS_NODEV}},
		{in: "type=tmpfs,target=/t,ro", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: unix.MS_NOSUID | unix.MS_NODEV | unix.MS_RDONLY}},
		{in: "type=volume,src=v,target=/d,noexec", want: spec.Mount{Kind: spec.Volume, Source: "v", Destination: "/d", CopyUp: true, Flags: unix.MS_NOEXEC}},

		{in: "type=foo,target=/d", wantErr: "type must be volume, bind or tmpfs"},
		{in: "source=v", wantErr: "target must be an absolute path"},
		{in: "source=v,target=rel", wantErr: "target must be an absolute path"},
		{in: "source=v,target=/", wantErr: "target must be an absolute path"},
		{in: "type=bind,target=/d", wantErr: "a bind needs source="},
		{in: "type=bind,source=" + dir + "/missing,target=/d", wantErr: "host path"},
		{in: "type=volume,source=/abs,target=/d", wantErr: "type=bind binds a host path"},
		{in: "source=a/b,target=/d", wantErr: `invalid volume name "a/b"`},
		{in: "source=-a,target=/d", wantErr: `invalid volume name "-a"`},
		{in: "type=tmpfs,source=x,target=/t", wantErr: "a tmpfs takes no source"},
		{in: "source=v,target=/d,tmpfs-size=1m", wantErr: "apply to type=tmpfs"},
		{in: "source=v,target=/d,readonly=maybe", wantErr: "readonly takes true or false"},
		{in: "source=v,target=/d,bogus=1", wantErr: `unknown option "bogus=1"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMount(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseMount(%q) = %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMount(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMount(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestCheckDestinations(t *testing.T) {
	a := spec.Mount{Kind: spec.Volume, Source: "v", Destination: "/a"}
	b := spec.Mount{Kind: spec.Volume, Source: "w", Destination: "/a"}
	got, err := CheckDestinations([]spec.Mount{a, a})
	if err != nil || len(got) != 1 {
		t.Fatalf("a repeated mount: %v, %v; want it once", got, err)
	}
	if _, err := CheckDestinations([]spec.Mount{a, b}); err == nil || err.Error() != "/a: duplicate mount destination" {
		t.Fatalf("two mounts on /a: %v", err)
	}
}

func TestParseVolumesFrom(t *testing.T) {
	for _, ok := range []string{"c", "c:ro", "c:rw", "c:z", "c:ro,z"} {
		if _, err := ParseVolumesFrom(ok); err != nil {
			t.Errorf("ParseVolumesFrom(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", ":ro", "c:rx", "c:ro,"} {
		if _, err := ParseVolumesFrom(bad); err == nil {
			t.Errorf("ParseVolumesFrom(%q) succeeded", bad)
		}
	}
}

func FuzzParseMount(f *testing.F) {
	for _, s := range []string{"type=volume,src=v,target=/d", "type=bind,src=.,dst=/x,ro", "type=tmpfs,target=/t,tmpfs-size=1m", "target=/d,volume-nocopy"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if strings.Contains(v, "\x00") {
			return // a command-line argument cannot hold a NUL byte
		}
		m, err := ParseMount(v)
		if err != nil {
			return
		}
		checkDestination(t, v, m)
		switch m.Kind {
		case spec.Volume:
			if strings.ContainsAny(m.Source, "/:,") {
				t.Fatalf("ParseMount(%q) = %+v: a volume name that is a path", v, m)
			}
		case spec.Bind:
			if !strings.HasPrefix(m.Source, "/") {
				t.Fatalf("ParseMount(%q) = %+v: a relative bind source", v, m)
			}
		case spec.Tmpfs:
			if m.Source != "" || m.ReadOnly {
				t.Fatalf("ParseMount(%q) = %+v", v, m)
			}
		default:
			t.Fatalf("ParseMount(%q) = %+v: kind", v, m)
		}
	})
}

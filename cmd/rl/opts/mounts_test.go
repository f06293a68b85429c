package opts

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

func TestParseVolume(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	// ./sub is resolved against the working directory.
	t.Chdir(dir)

	tests := []struct {
		in      string
		want    spec.Mount
		wantErr string // a substring of the error; "" means success
	}{
		{in: dir + ":/d", want: spec.Mount{Kind: spec.Bind, Source: dir, Destination: "/d"}},
		{in: dir + ":/d/../e/", want: spec.Mount{Kind: spec.Bind, Source: dir, Destination: "/e"}},
		{in: "./sub:/d", want: spec.Mount{Kind: spec.Bind, Source: filepath.Join(dir, "sub"), Destination: "/d"}},
		{in: ".:/d", want: spec.Mount{Kind: spec.Bind, Source: dir, Destination: "/d"}},
		{in: dir + ":/d:ro", want: spec.Mount{Kind: spec.Bind, Source: dir, Destination: "/d", ReadOnly: true}},
		{in: dir + ":/d:rw", want: spec.Mount{Kind: spec.Bind, Source: dir, Destination: "/d"}},
		{in: dir + ":/d:z", want: spec.Mount{Kind: spec.Bind, Source: dir, Destination: "/d"}},
		{in: dir + ":/d:Z,ro,rprivate", want: spec.Mount{Kind: spec.Bind, Source: dir, Destination: "/d", ReadOnly: true}},

		{in: "bad", wantErr: "want HOST-DIR:CONTAINER-DIR"},
		{in: "/a:b:c:d", wantErr: "want HOST-DIR:CONTAINER-DIR"},
		{in: ":/x", wantErr: "want HOST-DIR:CONTAINER-DIR"},
		{in: "/tmp:", wantErr: "want HOST-DIR:CONTAINER-DIR"},
		{in: "", wantErr: "want HOST-DIR:CONTAINER-DIR"},
		{in: dir + ":rel", wantErr: "must be absolute"},
		{in: dir + ":/", wantErr: "must be absolute and not /"},
		{in: dir + ":/x/..", wantErr: "must be absolute and not /"},
		{in: "named:/x", want: spec.Mount{Kind: spec.Volume, Source: "named", Destination: "/x", CopyUp: true}},
		{in: "named:/x:ro,nocopy,U,z", want: spec.Mount{Kind: spec.Volume, Source: "named", Destination: "/x", ReadOnly: true, Chown: true}},
		{in: "/anon", want: spec.Mount{Kind: spec.Volume, Destination: "/anon", CopyUp: true}},
		{in: dir + ":/d:noexec,nosuid", want: spec.Mount{Kind: spec.Bind, Source: dir, Destination: "/d", Flags: unix.MS_NOEXEC | unix.MS_NOSUID}},
		{in: "bad/name:/x", wantErr: `invalid volume name "bad/name"`},
		{in: "-x:/x", wantErr: `invalid volume name "-x"`},
		{in: dir + ":/d:nocopy", wantErr: "nocopy applies to volumes"},
		{in: "anon", wantErr: "want HOST-DIR:CONTAINER-DIR"},
		{in: dir + ":/d:bogus", wantErr: `unknown option "bogus"`},
		{in: dir + ":/d:ro,", wantErr: `unknown option ""`},
		{in: filepath.Join(dir, "missing") + ":/d", wantErr: "host path"},
		{in: "./missing:/d", wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseVolume(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseVolume(%q) = %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseVolume(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseVolume(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTmpfs(t *testing.T) {
	const def = unix.MS_NOEXEC | unix.MS_NOSUID | unix.MS_NODEV
	tests := []struct {
		in      string
		want    spec.Mount
		wantErr string
	}{
		{in: "/t", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: def}},
		{in: "/t/", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: def}},
		{in: "/t:", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: def}},
		{in: "/t:size=64m,mode=1777", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: def, Data: "size=64m,mode=1777"}},
		{in: "/t:uid=1,gid=2,nr_inodes=10,nr_blocks=5", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: def, Data: "uid=1,gid=2,nr_inodes=10,nr_blocks=5"}},
		{in: "/t:exec", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: unix.MS_NOSUID | unix.MS_NODEV}},
		{in: "/t:suid", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: unix.MS_NOEXEC | unix.MS_NODEV}},
		{in: "/t:dev", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: unix.MS_NOEXEC | unix.MS_NOSUID}},
		{in: "/t:exec,suid,dev", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t"}},
		{in: "/t:ro", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: def | unix.MS_RDONLY}},
		{in: "/t:ro,rw", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: def}},
		{in: "/t:exec,noexec", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: def}},
		{in: "/t:ro,size=1m,exec", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: unix.MS_NOSUID | unix.MS_NODEV | unix.MS_RDONLY, Data: "size=1m"}},
		{in: "/t:size=1m,,mode=700", want: spec.Mount{Kind: spec.Tmpfs, Destination: "/t", Flags: def, Data: "size=1m,mode=700"}},

		{in: "t", wantErr: "path must be absolute"},
		{in: "rel/x:size=1m", wantErr: "path must be absolute"},
		{in: "", wantErr: "path must be absolute"},
		{in: ":size=1m", wantErr: "path must be absolute"},
		{in: "/", wantErr: "not /"},
		{in: "/t/..:size=1m", wantErr: "not /"},
		{in: "/t:bogus", wantErr: `unknown option "bogus"`},
		{in: "/t:size=1m,huge=1", wantErr: `unknown option "huge=1"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTmpfs(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseTmpfs(%q) = %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTmpfs(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseTmpfs(%q) = %+v (flags %#x), want %+v (flags %#x)", tt.in, got, got.Flags, tt.want, tt.want.Flags)
			}
		})
	}
}

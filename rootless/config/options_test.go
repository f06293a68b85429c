package config

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
		{in: "named:/x", wantErr: "named volumes are not supported"},
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

func TestParseEnv(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	file1 := write("one.env", "# a comment\n\nA=1\n   B=two words\n\t# indented comment\n  \nFROMHOST\nUNSET\nC=x=y\n")
	file2 := write("two.env", "D=4\n")
	badFile := write("bad.env", "OK=1\n=nokey\n")
	spaceFile := write("space.env", "A B=1\n")
	lookup := func(k string) (string, bool) {
		switch k {
		case "FROMHOST":
			return "host value", true
		case "EMPTY":
			return "", true
		}
		return "", false
	}

	tests := []struct {
		name     string
		envs     []string
		files    []string
		want     []string
		wantErrs []string // substrings of the error
	}{
		{name: "nothing", want: nil},
		{name: "key=value", envs: []string{"A=1", "B=", "C=x=y"}, want: []string{"A=1", "B=", "C=x=y"}},
		{name: "key from lookup", envs: []string{"FROMHOST"}, want: []string{"FROMHOST=host value"}},
		{name: "key set but empty in lookup", envs: []string{"EMPTY"}, want: []string{"EMPTY="}},
		{name: "key absent from lookup is dropped", envs: []string{"A=1", "UNSET", "B=2"}, want: []string{"A=1", "B=2"}},
		{
			name: "env file: comments, blank lines, leading whitespace", files: []string{file1},
			want: []string{"A=1", "B=two words", "FROMHOST=host value", "C=x=y"},
		},
		{
			name: "files first in order, then -e", envs: []string{"E=5", "A=override"}, files: []string{file2, file1},
			want: []string{"D=4", "A=1", "B=two words", "FROMHOST=host value", "C=x=y", "E=5", "A=override"},
		},
		{name: "empty key", envs: []string{"=x"}, wantErrs: []string{`"=x"`, "want KEY=VALUE"}},
		{name: "space in key", envs: []string{"A B=1"}, wantErrs: []string{`"A B=1"`}},
		{name: "tab in key", envs: []string{"A\tB=1"}, wantErrs: []string{"want KEY=VALUE"}},
		{name: "bad line in file names file and line", files: []string{badFile}, wantErrs: []string{"=nokey", badFile + " line 2"}},
		{name: "space in key in file", files: []string{spaceFile}, wantErrs: []string{spaceFile + " line 1"}},
		{name: "missing file", files: []string{filepath.Join(dir, "missing.env")}, wantErrs: []string{"reading env file", "missing.env"}},
		{name: "bad -e after good file", envs: []string{"=x"}, files: []string{file2}, wantErrs: []string{`"=x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnv(tt.envs, tt.files, lookup)
			if tt.wantErrs != nil {
				if err == nil {
					t.Fatalf("ParseEnv = %q, want an error", got)
				}
				for _, s := range tt.wantErrs {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("ParseEnv error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseEnv: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseEnv = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMergeEnv(t *testing.T) {
	tests := []struct {
		name       string
		base, over []string
		want       []string
	}{
		{name: "empty", want: []string{}},
		{name: "no override", base: []string{"A=1", "B=2"}, want: []string{"A=1", "B=2"}},
		{name: "only over", over: []string{"A=1"}, want: []string{"A=1"}},
		{name: "override keeps position", base: []string{"A=1", "B=2", "C=3"}, over: []string{"B=x"}, want: []string{"A=1", "B=x", "C=3"}},
		{name: "new keys appended in order", base: []string{"A=1"}, over: []string{"Z=9", "M=5"}, want: []string{"A=1", "Z=9", "M=5"}},
		{name: "mixed", base: []string{"A=1", "B=2"}, over: []string{"C=3", "A=a"}, want: []string{"A=a", "B=2", "C=3"}},
		{name: "last of repeated new key wins, at first place", base: []string{"A=1"}, over: []string{"N=1", "B=2", "N=2"}, want: []string{"A=1", "N=2", "B=2"}},
		{name: "empty value overrides", base: []string{"A=1"}, over: []string{"A="}, want: []string{"A="}},
		{name: "value with =", base: []string{"A=1"}, over: []string{"A=b=c"}, want: []string{"A=b=c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := append([]string(nil), tt.base...)
			got := MergeEnv(base, tt.over)
			if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("MergeEnv(%q, %q) = %q, want %q", tt.base, tt.over, got, tt.want)
			}
			if !reflect.DeepEqual(base, tt.base) && !(len(base) == 0 && len(tt.base) == 0) {
				t.Errorf("MergeEnv changed its base: %q, was %q", base, tt.base)
			}
		})
	}
}

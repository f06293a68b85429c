package opts

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

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
	nulFile := write("nul.env", "OK=1\nA=b\x00c\n")
	ctlFile := write("ctl.env", "A\x1bB=1\n")
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
		{name: "newline in key", envs: []string{"A\nB=1"}, wantErrs: []string{`"A\nB=1" (-e)`, "control characters"}},
		{name: "newline in key alone", envs: []string{"PATH\nLD_PRELOAD=/x"}, wantErrs: []string{`(-e)`}},
		{name: "NUL in key", envs: []string{"A\x00B=1"}, wantErrs: []string{`"A\x00B=1" (-e)`}},
		{name: "NUL in value", envs: []string{"A=1\x002"}, wantErrs: []string{`"A=1\x002" (-e)`, "NUL"}},
		{name: "unicode space in key", envs: []string{"A\u00a0B=1"}, wantErrs: []string{"(-e)"}},
		{name: "newline in value is kept", envs: []string{"A=1\n2"}, want: []string{"A=1\n2"}},
		{name: "NUL in file", files: []string{nulFile}, wantErrs: []string{"--env-file " + nulFile + " line 2", "NUL"}},
		{name: "control character in file", files: []string{ctlFile}, wantErrs: []string{"--env-file " + ctlFile + " line 1"}},
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

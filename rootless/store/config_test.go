package store

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	base := Store{Root: "/default", RunRoot: "/run/default"}
	tests := []struct {
		name, in string
		want     Store
		wantErr  string
	}{
		{"empty", "", base, ""},
		{"both", "# mine\nroot = /data/rl\n\nrunroot=\"/run/user/1000/rl\"\n", Store{Root: "/data/rl", RunRoot: "/run/user/1000/rl"}, ""},
		{"one", "  root   =   /x  \n", Store{Root: "/x", RunRoot: "/run/default"}, ""},
		{"unknown key", "graphroot = /x\n", base, `unknown key "graphroot"`},
		{"no value", "root =\n", base, "want key = value"},
		{"no equals", "root /x\n", base, "want key = value"},
		{"relative", "root = x\n", base, "rl.conf line 1: root must be an absolute path"},
		{"unknown key with a relative value", "# c\nunknown_key = 1\n", base, `rl.conf line 2: unknown key "unknown_key" (known: root, runroot, mount_program, max_layer_file, min_free)`},
		{"pull bounds", "max_layer_file = 8g\nmin_free=512m\n", Store{Root: "/default", RunRoot: "/run/default", MaxLayerFile: 8 << 30, MinFree: 512 << 20}, ""},
		{"a bound that is no size", "min_free = lots\n", base, "rl.conf line 1: min_free must be a size (e.g. 64g, 512m)"},
		{"line too long", "root = /x\n\n" + strings.Repeat("x", 2<<20) + "\n", base,
			"rl.conf line 3: longer than 64 KiB, which no key = value line of rl.conf is: bufio.Scanner: token too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig(strings.NewReader(tt.in), "rl.conf", base)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

package opts

import (
	"strings"
	"testing"

	"github.com/rl-containers/rl/userns"
)

func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{
		"": true, "web": true, "web-1.a_b": true, "9lives": true,
		"-x": false, ".x": false, "../x": false, "a/b": false, "a b": false, "é": false,
	} {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestCheckHostname(t *testing.T) {
	for h, ok := range map[string]bool{
		"": true, "box": true, "a.b-c": true, strings.Repeat("a", 64): true,
		strings.Repeat("a", 65): false, "a_b": false, "a b": false,
	} {
		if err := CheckHostname(h); (err == nil) != ok {
			t.Errorf("CheckHostname(%q) = %v, want ok=%v", h, err, ok)
		}
	}
}

func TestCheckWorkdir(t *testing.T) {
	for dir, ok := range map[string]bool{"": true, "/w": true, "/a/../b": true, "rel": false, "./x": false} {
		if err := CheckWorkdir(dir); (err == nil) != ok {
			t.Errorf("CheckWorkdir(%q) = %v, want ok=%v", dir, err, ok)
		}
	}
}

func TestParseUserns(t *testing.T) {
	for in, want := range map[string]userns.Mode{"keep-id": userns.ModeKeepID, "nomap": userns.ModeNoMap, "": userns.ModeDefault, "private": userns.ModeDefault, "auto": userns.ModeAuto} {
		if m, size, err := ParseUserns(in); err != nil || m != want || size != 0 {
			t.Errorf("ParseUserns(%q) = %q, %d, %v; want %q", in, m, size, err, want)
		}
	}
	if m, size, err := ParseUserns("auto:size=2000"); err != nil || m != userns.ModeAuto || size != 2000 {
		t.Errorf("auto:size=2000 = %q, %d, %v", m, size, err)
	}
	for _, bad := range []string{"nope", "auto:size=0", "auto:size=x", "auto:uidmapping=0:1:1", "keep-id:uid=5"} {
		if _, _, err := ParseUserns(bad); err == nil {
			t.Errorf("ParseUserns(%q) took it", bad)
		}
	}
}

func TestParseIDMaps(t *testing.T) {
	l, err := ParseIDMaps([]string{"0:1:1000,1000:0:1"}, nil)
	if err != nil || len(l.UIDs) != 2 || len(l.GIDs) != 2 {
		t.Fatalf("ParseIDMaps(uids only) = %+v, %v; want both from the uid maps", l, err)
	}
	if l, err := ParseIDMaps(nil, nil); l != nil || err != nil {
		t.Errorf("no maps = %+v, %v; want nil", l, err)
	}
	if _, err := ParseIDMaps(nil, []string{"0:1"}); err == nil {
		t.Error("a malformed --gidmap was taken")
	}
}

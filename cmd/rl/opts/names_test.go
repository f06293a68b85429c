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
	if m, err := ParseUserns("keep-id"); err != nil || m != userns.ModeKeepID {
		t.Errorf("keep-id: %v %v", m, err)
	}
	for _, s := range []string{"", "auto", "private"} {
		if m, err := ParseUserns(s); err != nil || m != userns.ModeDefault {
			t.Errorf("%q: %v %v", s, m, err)
		}
	}
	if _, err := ParseUserns("nope"); err == nil {
		t.Error("want error for unknown mode")
	}
}

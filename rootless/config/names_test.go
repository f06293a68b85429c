package config

import (
	"strings"
	"testing"
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

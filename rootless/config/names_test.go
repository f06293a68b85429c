package config

import "testing"

func TestValidName(t *testing.T) {
	for name, ok := range map[string]bool{
		"": true, "web": true, "web-1.a_b": true, "9lives": true,
		"-x": false, ".x": false, "../x": false, "a/b": false, "a b": false, "é": false,
	} {
		if got := ValidName(name); got != ok {
			t.Errorf("ValidName(%q) = %v, want %v", name, got, ok)
		}
	}
}

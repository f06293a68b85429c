package backend

import "testing"

func TestExpand(t *testing.T) {
	lookup := envLookup([]string{"A=1", "B=two", "A=3"})
	for in, want := range map[string]string{
		"$(A)":             "3",
		"x$(B)y":           "xtwoy",
		"$(C)":             "$(C)",
		"$$(A)":            "$(A)",
		"$$":               "$",
		"$":                "$",
		"a$b":              "a$b",
		"$(A":              "$(A",
		"$(A)$(B)$(A)":     "3two3",
		"echo $(B) $$HOME": "echo two $HOME",
	} {
		if got := expand(in, lookup); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

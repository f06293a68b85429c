package main

import (
	"slices"
	"testing"
)

// The names a top-level command is built for are exactly the names and
// aliases of what it builds: a missing one would make that word an unknown
// command, an extra one build a command the line does not run.
func TestTopCommandNames(t *testing.T) {
	code := 0
	for _, tc := range topCommands(&globalOptions{}, &code) {
		var built []string
		for _, c := range tc.build() {
			built = append(built, c.Name())
			built = append(built, c.Aliases...)
		}
		slices.Sort(built)
		want := slices.Sorted(slices.Values(tc.names))
		if !slices.Equal(built, want) {
			t.Errorf("topCommand %v builds commands named %v", tc.names, built)
		}
	}
}

func TestCommandWord(t *testing.T) {
	code := 0
	pf := newRootCommand(&globalOptions{}, &code, []string{"version"}).PersistentFlags()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--rm", "alpine"}, "run"},
		{[]string{"--root", "/s", "--runroot=/r", "ps", "-a"}, "ps"},
		{[]string{"--log-level", "debug", "rm", "x"}, "rm"},
		{[]string{"--noout", "pod", "ps"}, "pod"},
		{[]string{"--root"}, ""},
		{[]string{"--no-such-flag", "run"}, ""},
		{[]string{"-h"}, ""},
		{[]string{"--help", "run"}, ""},
		{nil, ""},
	} {
		if got := commandWord(pf, tt.args); got != tt.want {
			t.Errorf("commandWord(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

// A command line that names one command builds it alone; one that names
// none, or an unknown one, builds them all (for the suggestions).
func TestRootCommandBuildsWhatArgsName(t *testing.T) {
	code := 0
	all := len(newRootCommand(&globalOptions{}, &code, nil).Commands())
	for _, tt := range []struct {
		args []string
		want int
	}{
		{[]string{"--root", "/s", "run", "--rm", "alpine", "ps"}, 1},
		{[]string{"ls"}, 1},
		{[]string{"play", "kube", "f.yaml"}, 3},
		{[]string{"rnu", "alpine"}, all},
		{[]string{"--help"}, all},
	} {
		if got := len(newRootCommand(&globalOptions{}, &code, tt.args).Commands()); got != tt.want {
			t.Errorf("newRootCommand(%q) has %d commands, want %d", tt.args, got, tt.want)
		}
	}
}

package main

import (
	"testing"
	"time"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/store"
	"golang.org/x/sys/unix"
)

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]unix.Signal{
		"KILL": unix.SIGKILL, "sigterm": unix.SIGTERM, "SIGHUP": unix.SIGHUP, "10": unix.SIGUSR1,
	} {
		if got, err := config.ParseSignal(in); err != nil || got != want {
			t.Errorf("parseSignal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "NOSUCH", "0", "65", "-1"} {
		if _, err := config.ParseSignal(in); err == nil {
			t.Errorf("parseSignal(%q) succeeded", in)
		}
	}
}

func TestParseSince(t *testing.T) {
	if got, _ := parseSince("1700000000"); !got.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("unix seconds: %v", got)
	}
	if got, _ := parseSince("10m"); time.Since(got) < 10*time.Minute || time.Since(got) > 11*time.Minute {
		t.Errorf("10m: %v", got)
	}
	if _, err := parseSince("yesterday"); err == nil {
		t.Error("yesterday parsed")
	}
}

func TestFilters(t *testing.T) {
	st := store.State{ID: "abcdef", Name: "web-1", Status: store.StatusRunning,
		Image: "127.0.0.1:5000/rl-test/busybox:latest", ImageID: "f00d"}
	for _, tc := range []struct {
		filters []string
		want    bool
	}{
		{nil, true},
		{[]string{"name=^web"}, true},
		{[]string{"name=db"}, false},
		{[]string{"name=db", "name=web"}, true}, // one key: alternatives
		{[]string{"name=web", "status=exited"}, false},
		{[]string{"id=abc"}, true},
		{[]string{"ancestor=rl-test/busybox"}, true},
		{[]string{"ancestor=f00"}, true},
		{[]string{"ancestor=alpine"}, false},
	} {
		match, err := parseFilters(tc.filters)
		if err != nil {
			t.Fatalf("%v: %v", tc.filters, err)
		}
		if got := match(st); got != tc.want {
			t.Errorf("%v: got %v, want %v", tc.filters, got, tc.want)
		}
	}
	for _, bad := range []string{"name", "color=red", "status=sleeping", "name=("} {
		if _, err := parseFilters([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

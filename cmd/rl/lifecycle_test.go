package main

import (
	"testing"
	"time"

	"github.com/rl-containers/rl/rootless"
)

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

func TestStopTime(t *testing.T) {
	for secs, want := range map[int]time.Duration{0: 0, 3: 3 * time.Second, -1: rootless.WaitForever} {
		if got, err := (stopTime{secs}).grace(); err != nil || got != want {
			t.Errorf("%d: %v, %v; want %v", secs, got, err, want)
		}
	}
	if _, err := (stopTime{-2}).grace(); err == nil {
		t.Error("-2 accepted")
	}
}

package main

import (
	"testing"
	"time"

	"github.com/rl-containers/rl/rootless"
)

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

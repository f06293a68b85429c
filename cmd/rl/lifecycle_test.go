package main

import (
	"testing"
	"time"
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

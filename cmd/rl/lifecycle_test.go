package main

import (
	"errors"
	"fmt"
	"strings"
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

// TestRemoveInOrder: a container that others depend on is removed after
// them, whatever the order given; one whose dependents are not given is
// refused.
func TestRemoveInOrder(t *testing.T) {
	// c joins b's network, b joins a's.
	joins := map[string]string{"b": "a", "c": "b"}
	var out strings.Builder
	gone := map[string]bool{}
	remove := func(ref string) error {
		for dep, on := range joins {
			if on == ref && !gone[dep] {
				return fmt.Errorf("container %s: %w", ref, rootless.ErrDependents)
			}
		}
		gone[ref] = true
		return nil
	}
	if err := removeInOrder(&out, []string{"a", "b", "c", "d"}, false, remove); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "c\nd\nb\na\n" {
		t.Errorf("removed in the order %q", got)
	}
	out.Reset()
	gone = map[string]bool{"c": false}
	err := removeInOrder(&out, []string{"a", "b"}, false, remove)
	if !errors.Is(err, rootless.ErrDependents) || out.String() != "" {
		t.Errorf("b, on which c depends: %v, removed %q", err, out.String())
	}
}

func TestTopDescriptors(t *testing.T) {
	if cols, ok := topDescriptors([]string{"huser", "args,pcpu"}); !ok || cols != "user=HUSER,args=COMMAND,pcpu=%CPU" {
		t.Errorf("topDescriptors(huser args,pcpu) = %q, %v", cols, ok)
	}
	if _, ok := topDescriptors([]string{"-ef"}); ok {
		t.Error("ps options taken as descriptors")
	}
}

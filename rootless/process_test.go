package rootless

import (
	"errors"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/spec"
)

func TestProcessSpec(t *testing.T) {
	c := testContainer()
	given := []spec.Rlimit{{Type: "RLIMIT_NOFILE", Resource: unix.RLIMIT_NOFILE, Soft: 10, Hard: 20}}
	adj := 3
	p := processSpec(c, config.Container{Workdir: "/w", Process: config.Process{Ulimits: given, Umask: 0o027, OOMScoreAdj: &adj, KeepGroups: true}})
	// nofile as given; nproc podman's default.
	wantLimits := append(given, spec.Rlimit{Type: "RLIMIT_NPROC", Resource: unix.RLIMIT_NPROC, Soft: 1048576, Hard: 1048576, Clamp: true})
	if !reflect.DeepEqual(p.Rlimits, wantLimits) {
		t.Errorf("limits = %+v, want %+v", p.Rlimits, wantLimits)
	}
	if *p.Umask != 0o027 || *p.OOMScoreAdj != 3 || !p.KeepGroups || !p.CwdMustExist || p.ContainerEnv != "" {
		t.Errorf("processSpec = %+v", p)
	}
	if p := processSpec(c, config.Container{}); len(p.Rlimits) != 2 || p.CwdMustExist {
		t.Errorf("processSpec of no flags = %+v: want podman's two default limits, the workdir created", p)
	}
	c.State.Name, c.State.Image, c.State.ImageID = "web", "busybox", "abc"
	p = processSpec(c, config.Container{Security: config.Security{Privileged: true}})
	want := "engine=\"rl\"\nname=\"web\"\nid=\"" + c.State.ID + "\"\nimage=\"busybox\"\nimageid=\"abc\"\nrootless=1\n"
	if p.ContainerEnv != want {
		t.Errorf("containerenv = %q, want %q", p.ContainerEnv, want)
	}
}

func TestClampOOMScoreAdj(t *testing.T) {
	current := func() (int, error) { return 100, nil }
	for _, tt := range []struct {
		in   *int
		want *int
	}{
		{nil, nil}, {ptr(200), ptr(200)}, {ptr(100), ptr(100)}, {ptr(-1000), ptr(100)},
	} {
		got := clampOOMScoreAdj(tt.in, current)
		if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
			t.Errorf("clampOOMScoreAdj(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	unreadable := func() (int, error) { return 0, errors.New("no /proc") }
	if got := clampOOMScoreAdj(ptr(-5), unreadable); *got != -5 {
		t.Errorf("with an unreadable current value: %d, want -5 kept", *got)
	}
}

func TestMergeLabels(t *testing.T) {
	got := config.MergeLabels(map[string]string{"a": "image", "b": "image"}, map[string]string{"b": "own"})
	if !reflect.DeepEqual(got, map[string]string{"a": "image", "b": "own"}) {
		t.Errorf("MergeLabels = %v", got)
	}
	if config.MergeLabels(nil, nil) != nil {
		t.Error("MergeLabels of nothing is not nil")
	}
}

func ptr[T any](v T) *T { return &v }

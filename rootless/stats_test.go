package rootless

import (
	"context"
	"errors"
	"math"
	"os"
	"testing"
	"time"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/store"
)

func TestCPUPercent(t *testing.T) {
	for _, tt := range []struct {
		prev, cur uint64
		elapsed   time.Duration
		want      float64
	}{
		{0, 500_000, time.Second, 50},
		{1_000_000, 3_000_000, time.Second, 200}, // two CPUs busy
		{0, 250_000, 500 * time.Millisecond, 50},
		{0, 0, time.Second, 0},
		{5_000, 1_000, time.Second, 0}, // the counter went back
		{0, 1_000, 0, 0},
		{0, 1, time.Nanosecond, 100_000},
	} {
		if got := cpuPercent(tt.prev, tt.cur, tt.elapsed); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("cpuPercent(%d, %d, %v) = %v, want %v", tt.prev, tt.cur, tt.elapsed, got, tt.want)
		}
	}
}

// fakeCgroups is a sampler's read: each read of a path returns its next
// reading, and fails once they are used up.
type fakeCgroups map[string][]cgroupsd.Stats

func (f fakeCgroups) read(path string) (cgroupsd.Stats, error) {
	if len(f[path]) == 0 {
		return cgroupsd.Stats{}, os.ErrNotExist
	}
	s := f[path][0]
	f[path] = f[path][1:]
	return s, nil
}

func TestSamplerOnce(t *testing.T) {
	f := fakeCgroups{
		"/a": {{CPUUsec: 0}, {CPUUsec: 1000, MemoryBytes: 7}},
		"/b": {{CPUUsec: 10}, {CPUUsec: 10, Pids: 3}},
	}
	s := sampler{read: f.read, interval: time.Millisecond, exited: func() bool { t.Error("exited asked"); return false }}
	var got [][]Sample
	err := s.run(context.Background(), []string{"a", "b"}, []string{"/a", "/b"}, false, func(ss []Sample) error {
		got = append(got, ss)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0]) != 2 {
		t.Fatalf("samples %+v, want one of two containers", got)
	}
	a, b := got[0][0], got[0][1]
	if a.Name != "a" || a.MemoryBytes != 7 || a.CPUPercent <= 0 {
		t.Errorf("a: %+v", a)
	}
	if b.Name != "b" || b.Pids != 3 || b.CPUPercent != 0 {
		t.Errorf("b: %+v", b)
	}
}

func TestSamplerStreamEndsWithTheContainers(t *testing.T) {
	f := fakeCgroups{"/a": {{}, {CPUUsec: 1}, {CPUUsec: 2}}}
	exited := false
	s := sampler{read: f.read, interval: time.Millisecond, exited: func() bool { exited = true; return true }}
	n := 0
	err := s.run(context.Background(), []string{"a"}, []string{"/a"}, true, func([]Sample) error { n++; return nil })
	if err != nil || n != 2 || !exited {
		t.Errorf("run = %v after %d samples (exited asked: %v), want nil after 2", err, n, exited)
	}
}

func TestSamplerErrors(t *testing.T) {
	// A read that fails while the containers still run is the error.
	f := fakeCgroups{"/a": {{}}}
	s := sampler{read: f.read, interval: time.Millisecond, exited: func() bool { return false }}
	if err := s.run(context.Background(), []string{"a"}, []string{"/a"}, true, func([]Sample) error { return nil }); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed read during a stream: %v", err)
	}
	// Without a stream, too, whatever exited says.
	s.read, s.exited = fakeCgroups{"/a": {{}}}.read, func() bool { return true }
	if err := s.run(context.Background(), []string{"a"}, []string{"/a"}, false, func([]Sample) error { return nil }); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed read without a stream: %v", err)
	}
	// The first read.
	if err := s.run(context.Background(), []string{"a"}, []string{"/a"}, true, nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed first read: %v", err)
	}
	// each's error ends the stream.
	s.read = fakeCgroups{"/a": {{}, {}, {}}}.read
	stop := errors.New("stop")
	if err := s.run(context.Background(), []string{"a"}, []string{"/a"}, true, func([]Sample) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("each failed: %v", err)
	}
	// So does the context.
	s.read = fakeCgroups{"/a": {{}, {}}}.read
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.interval = time.Hour
	if err := s.run(ctx, []string{"a"}, []string{"/a"}, true, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context: %v", err)
	}
}

func TestStatsNeedsACgroup(t *testing.T) {
	e := New(testStore(t, store.StatusRunning))
	err := e.Stats(context.Background(), []string{"running-a"}, false, func([]Sample) error { return nil })
	if !errors.Is(err, ErrNoCgroup) {
		t.Errorf("Stats of a container without a cgroup: %v", err)
	}
	if err := e.Stats(context.Background(), []string{"nosuch"}, false, nil); !errors.Is(err, store.ErrNoContainer) {
		t.Errorf("Stats of no container: %v", err)
	}
}

func TestAnyExited(t *testing.T) {
	e := New(testStore(t, store.StatusExited, store.StatusRunning))
	ctx := context.Background()
	if e.anyExited(ctx, []string{"running-b"}) {
		t.Error("a running container exited")
	}
	if !e.anyExited(ctx, []string{"running-b", "exited-a"}) || !e.anyExited(ctx, []string{"nosuch"}) {
		t.Error("an exited or missing container did not")
	}
}

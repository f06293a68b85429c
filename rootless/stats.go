package rootless

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/store"
)

// ErrNoCgroup is returned by Stats for a container without a cgroup of
// its own (one run without limits).
var ErrNoCgroup = errors.New("no cgroup of its own")

// Sample is one container's resource use: its cgroup's counters, and
// the CPU it used over the interval before them.
type Sample struct {
	// Name is the container as Stats was asked for it.
	Name string `json:"name"`
	// CPUPercent is the CPU time used over the interval, in percent of
	// one CPU (200 is two CPUs busy).
	CPUPercent float64 `json:"cpu_percent"`
	cgroupsd.Stats
}

// statsInterval is the time between two samples.
const statsInterval = time.Second

// Stats samples the resource use of the running containers refs, which
// need cgroups of their own, once per second, and calls each with every
// sample (one Sample per ref, in order). It returns after the first
// sample unless stream; a stream ends when one of the containers exits,
// when ctx ends, or when each fails.
func (e *Engine) Stats(ctx context.Context, refs []string, stream bool, each func([]Sample) error) error {
	paths := make([]string, len(refs))
	for i, ref := range refs {
		st, err := e.Lookup(ctx, ref)
		if err != nil {
			return err
		}
		if st.Cgroup == nil || st.Cgroup.Path == "" {
			return fmt.Errorf("container %s has %w", ref, ErrNoCgroup)
		}
		paths[i] = st.Cgroup.Path
	}
	s := sampler{read: cgroupsd.Sample, interval: statsInterval, exited: func() bool { return e.anyExited(ctx, refs) }}
	return s.run(ctx, refs, paths, stream, each)
}

// anyExited is true when one of the containers refs no longer runs.
func (e *Engine) anyExited(ctx context.Context, refs []string) bool {
	for _, ref := range refs {
		if st, err := e.Lookup(ctx, ref); err != nil || st.Status != store.StatusRunning {
			return true
		}
	}
	return false
}

// sampler is Stats's loop, with what it reads from the machine
// replaceable for tests.
type sampler struct {
	read     func(path string) (cgroupsd.Stats, error)
	interval time.Duration
	// exited is asked when a read fails during a stream: the cgroup of a
	// container that exited is gone.
	exited func() bool
}

// run samples the cgroups paths of the containers names, interval apart.
// CPU % needs two samples: the first is only the baseline.
func (s sampler) run(ctx context.Context, names, paths []string, stream bool, each func([]Sample) error) error {
	prev, err := s.sample(paths)
	if err != nil {
		return err
	}
	for {
		last := time.Now()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.interval):
		}
		cur, err := s.sample(paths)
		if err != nil && stream && s.exited() {
			return nil // the stream ends with the containers
		}
		if err != nil {
			return err
		}
		elapsed := time.Since(last)
		samples := make([]Sample, len(paths))
		for i := range paths {
			samples[i] = Sample{Name: names[i], CPUPercent: cpuPercent(prev[i].CPUUsec, cur[i].CPUUsec, elapsed), Stats: cur[i]}
		}
		prev = cur
		if err := each(samples); err != nil {
			return err
		}
		if !stream {
			return nil
		}
	}
}

// sample reads the stats of each cgroup path.
func (s sampler) sample(paths []string) ([]cgroupsd.Stats, error) {
	out := make([]cgroupsd.Stats, len(paths))
	for i, p := range paths {
		st, err := s.read(p)
		if err != nil {
			return nil, err
		}
		out[i] = st
	}
	return out, nil
}

// cpuPercent is the CPU time used between two readings of cpu.stat's
// usage_usec, elapsed apart, in percent of one CPU. A counter that went
// back (a cgroup made anew) or no time elapsed count as 0.
func cpuPercent(prevUsec, curUsec uint64, elapsed time.Duration) float64 {
	if curUsec < prevUsec || elapsed <= 0 {
		return 0
	}
	return float64(curUsec-prevUsec) / (float64(elapsed) / float64(time.Microsecond)) * 100
}

package monitor

import (
	"encoding/json"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/exec"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/store"
	"golang.org/x/sys/unix"
)

// defaultHealthTimeout is podman's --health-timeout.
const defaultHealthTimeout = 30 * time.Second

// checkHealth runs the container's health check every interval until
// stop is closed, recording the results. A check that runs past
// --health-timeout fails; failures within --health-start-period of the
// start do not count; when the container turns unhealthy, act is called
// with --health-on-failure's action (kill, restart or stop).
func checkHealth(c *store.Container, o config.Container, stop chan struct{}, act func(action string)) {
	hc, lc := o.Health, o.Lifecycle
	timeout := lc.HealthTimeout
	if timeout <= 0 {
		timeout = defaultHealthTimeout
	}
	started := time.Now()
	h := store.Health{Status: "starting"}
	t := time.NewTicker(hc.Interval)
	defer t.Stop()
	for {
		writeHealth(c, h)
		select {
		case <-stop:
			return
		case <-t.C:
		}
		start := time.Now()
		code := checkWithin(c, hc.Cmd, timeout)
		h.Log = append(h.Log, store.HealthResult{Start: start, ExitCode: code})
		if len(h.Log) > 5 {
			h.Log = h.Log[1:]
		}
		switch {
		case code == 0:
			h.Status, h.FailingStreak = "healthy", 0
		case h.Status == "starting" && time.Since(started) < lc.HealthStartPeriod:
			// Still starting: the failure does not count.
		case h.FailingStreak+1 >= hc.Retries:
			wasUnhealthy := h.Status == "unhealthy"
			h.Status, h.FailingStreak = "unhealthy", h.FailingStreak+1
			if !wasUnhealthy && lc.HealthOnFailure != "" {
				writeHealth(c, h)
				act(lc.HealthOnFailure)
			}
		default:
			h.FailingStreak++
		}
	}
}

// checkWithin runs the health check cmd once and returns its exit code,
// -1 when it ran past timeout (it is left to finish; its result is not
// waited for).
func checkWithin(c *store.Container, cmd string, timeout time.Duration) int {
	done := make(chan int, 1)
	go func() {
		// A copy of the container read afresh: the monitor changes its
		// own as the container runs and exits.
		code, err := checkOnce(c.Store, c.State.ID, cmd)
		if err != nil {
			code = launch.ExitCode(err)
		}
		done <- code
	}()
	select {
	case code := <-done:
		return code
	case <-time.After(timeout):
		return -1
	}
}

func writeHealth(c *store.Container, h store.Health) {
	if b, err := json.Marshal(h); err == nil {
		_ = store.WriteAtomic(c.HealthPath(), b)
	}
}

// checkOnce runs the health check cmd in the container id and returns its
// exit code.
func checkOnce(s store.Store, id, cmd string) (int, error) {
	c, err := s.Load(id)
	if err != nil {
		return 0, err
	}
	return exec.Exec(c, exec.Options{Args: []string{"/bin/sh", "-c", cmd}})
}

// onUnhealthy carries out --health-on-failure's action on the container
// c of record r that turned unhealthy: kill it; stop it (its stop signal,
// SIGKILL after its grace period; --restart leaves it stopped); or
// restart it (kill it, and restart sets the monitor's loop on again
// whatever --restart says).
func onUnhealthy(c *store.Container, r *config.Record, action string, restart *atomic.Bool) {
	// A pidfd names the init itself, never a later process with its pid.
	fd, err := unix.PidfdOpen(c.State.Pid, 0)
	if c.State.Pid == 0 || err != nil {
		return
	}
	slog.Warn("the container is unhealthy", "id", c.State.ID[:12], "action", action)
	kill := func() {
		_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
		unix.Close(fd)
	}
	switch action {
	case "restart":
		restart.Store(true)
		kill()
	case "kill":
		kill()
	case "stop":
		c.MarkStopped(true)
		sig := unix.SIGTERM
		if s := r.Options.Lifecycle.StopSignal; s != 0 {
			sig = unix.Signal(s)
		}
		_ = unix.PidfdSendSignal(fd, sig, nil, 0)
		time.AfterFunc(r.Options.Lifecycle.StopGrace(), kill)
	default:
		unix.Close(fd)
	}
}

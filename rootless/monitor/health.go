package monitor

import (
	"encoding/json"
	"time"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/exec"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/store"
)

// checkHealth runs the container's health check every interval until
// stop is closed, recording the results.
func checkHealth(c *store.Container, hc config.Health, stop chan struct{}) {
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
		// A copy of the container read afresh: the monitor changes its own
		// as the container runs and exits.
		code, err := checkOnce(c.Store, c.State.ID, hc.Cmd)
		if err != nil {
			code = launch.ExitCode(err)
		}
		h.Log = append(h.Log, store.HealthResult{Start: start, ExitCode: code})
		if len(h.Log) > 5 {
			h.Log = h.Log[1:]
		}
		switch {
		case code == 0:
			h.Status, h.FailingStreak = "healthy", 0
		case h.FailingStreak+1 >= hc.Retries:
			h.Status, h.FailingStreak = "unhealthy", h.FailingStreak+1
		default:
			h.FailingStreak++
		}
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

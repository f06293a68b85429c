package rootless

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// HealthCheck is --health-cmd and its timing: the monitor runs Cmd in the
// container (as rl exec does) every Interval; Retries failures in a row
// make the container unhealthy.
type HealthCheck struct {
	Cmd      string        `json:"cmd,omitempty"`
	Interval time.Duration `json:"interval,omitempty"`
	Retries  int           `json:"retries,omitempty"`
}

// Health is the outcome of a container's health checks so far, kept in
// health.json beside its state (written by the monitor alone).
type Health struct {
	// Status is starting (no verdict yet), healthy or unhealthy.
	Status        string `json:"Status"`
	FailingStreak int    `json:"FailingStreak"`
	// Log holds the last checks, newest last.
	Log []HealthResult `json:"Log"`
}

// HealthResult is one check.
type HealthResult struct {
	Start    time.Time `json:"Start"`
	ExitCode int       `json:"ExitCode"`
}

func (c *container) healthPath() string { return filepath.Join(c.runDir(), "health.json") }

// readHealth returns the container's health, nil without checks.
func (c *container) readHealth() *Health {
	b, err := os.ReadFile(c.healthPath())
	if err != nil {
		return nil
	}
	var h Health
	if json.Unmarshal(b, &h) != nil {
		return nil
	}
	return &h
}

// checkHealth runs the container's health check every interval until
// stop is closed, recording the results.
func (c *container) checkHealth(hc HealthCheck, stop chan struct{}) {
	h := Health{Status: "starting"}
	t := time.NewTicker(hc.Interval)
	defer t.Stop()
	for {
		c.writeHealth(h)
		select {
		case <-stop:
			return
		case <-t.C:
		}
		start := time.Now()
		code, err := Exec(c.store, c.state.ID, ExecOptions{Args: []string{"/bin/sh", "-c", hc.Cmd}})
		if err != nil {
			code = ExitCode(err)
		}
		h.Log = append(h.Log, HealthResult{Start: start, ExitCode: code})
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

func (c *container) writeHealth(h Health) {
	if b, err := json.Marshal(h); err == nil {
		_ = writeAtomic(c.healthPath(), b)
	}
}

// ParseHealthCheck checks the health flags.
func ParseHealthCheck(cmd string, interval time.Duration, retries int) (HealthCheck, error) {
	if cmd == "" {
		return HealthCheck{}, nil
	}
	if interval <= 0 {
		return HealthCheck{}, fmt.Errorf("invalid --health-interval %s: must be more than 0", interval)
	}
	if retries < 1 {
		return HealthCheck{}, fmt.Errorf("invalid --health-retries %d: must be 1 or more", retries)
	}
	return HealthCheck{Cmd: cmd, Interval: interval, Retries: retries}, nil
}

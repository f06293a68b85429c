package config

import (
	"fmt"
	"time"
)

// Health is --health-cmd and its timing: the monitor runs Cmd in the
// container (as rl exec does) every Interval; Retries failures in a row
// make the container unhealthy.
type Health struct {
	Cmd      string        `json:"cmd,omitempty"`
	Interval time.Duration `json:"interval,omitempty"`
	Retries  int           `json:"retries,omitempty"`
}

// ParseHealthCheck checks the health flags.
func ParseHealthCheck(cmd string, interval time.Duration, retries int) (Health, error) {
	if cmd == "" {
		return Health{}, nil
	}
	if interval <= 0 {
		return Health{}, fmt.Errorf("invalid --health-interval %s: must be more than 0", interval)
	}
	if retries < 1 {
		return Health{}, fmt.Errorf("invalid --health-retries %d: must be 1 or more", retries)
	}
	return Health{Cmd: cmd, Interval: interval, Retries: retries}, nil
}

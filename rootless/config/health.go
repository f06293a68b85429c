package config

import (
	"time"
)

// Health is a health check: the monitor runs Cmd in the
// container (as rl exec does) every Interval; Retries failures in a row
// make the container unhealthy.
type Health struct {
	Cmd      string        `json:"cmd,omitempty"`
	Interval time.Duration `json:"interval,omitempty"`
	Retries  int           `json:"retries,omitempty"`
}

package config

import (
	"time"
)

// Restart is a restart policy: what the monitor does when the container's
// command exits.
type Restart struct {
	// Name is no, on-failure, always or unless-stopped.
	Name string `json:"name,omitempty"`
	// Max bounds on-failure's restarts (0: no bound).
	Max int `json:"max,omitempty"`
}

// Wants is true when the container should start again after its command
// exited with code, having been restarted restarts times; never after rl
// stop or rl kill asked it to end.
func (p Restart) Wants(code, restarts int, stopped bool) bool {
	switch {
	case stopped:
		return false
	case p.Name == "always" || p.Name == "unless-stopped":
		return true
	case p.Name == "on-failure":
		return code != 0 && (p.Max == 0 || restarts < p.Max)
	}
	return false
}

// Delay is the pause before the n-th restart: docker's back-off, 100 ms
// doubling up to a minute.
func (p Restart) Delay(n int) time.Duration {
	d := 100 * time.Millisecond
	for i := 1; i < n && d < time.Minute; i++ {
		d *= 2
	}
	return min(d, time.Minute)
}

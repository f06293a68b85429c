package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Restart is --restart: what the monitor does when the container's
// command exits.
type Restart struct {
	// Name is no, on-failure, always or unless-stopped.
	Name string `json:"name,omitempty"`
	// Max bounds on-failure's restarts (0: no bound).
	Max int `json:"max,omitempty"`
}

// ParseRestart checks a --restart value: docker's no, on-failure[:N],
// always or unless-stopped.
func ParseRestart(s string) (Restart, error) {
	name, max, hasMax := strings.Cut(s, ":")
	p := Restart{Name: name}
	switch name {
	case "", "no", "always", "unless-stopped":
		if hasMax {
			return p, fmt.Errorf("invalid --restart %q: only on-failure takes a count", s)
		}
		return p, nil
	case "on-failure":
		if !hasMax {
			return p, nil
		}
		n, err := strconv.Atoi(max)
		if err != nil || n < 0 {
			return p, fmt.Errorf("invalid --restart %q: the count must be a number, 0 or more", s)
		}
		p.Max = n
		return p, nil
	}
	return p, fmt.Errorf("invalid --restart %q: use no, on-failure[:N], always or unless-stopped", s)
}

// wants is true when the container should start again after its command
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

// delay is the pause before the n-th restart: docker's back-off, 100 ms
// doubling up to a minute.
func (p Restart) Delay(n int) time.Duration {
	d := 100 * time.Millisecond
	for i := 1; i < n && d < time.Minute; i++ {
		d *= 2
	}
	return min(d, time.Minute)
}

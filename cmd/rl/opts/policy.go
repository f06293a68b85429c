package opts

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rl-containers/rl/rootless/config"
)

// ParseRestart checks a --restart value: docker's no, on-failure[:N],
// always or unless-stopped.
func ParseRestart(s string) (config.Restart, error) {
	name, max, hasMax := strings.Cut(s, ":")
	p := config.Restart{Name: name}
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

// ParseHealth checks the health flags: --health-cmd, --health-interval
// and --health-retries. Without a command there is no health check.
func ParseHealth(cmd string, interval time.Duration, retries int) (config.Health, error) {
	if cmd == "" {
		return config.Health{}, nil
	}
	if interval <= 0 {
		return config.Health{}, fmt.Errorf("invalid --health-interval %s: must be more than 0", interval)
	}
	if retries < 1 {
		return config.Health{}, fmt.Errorf("invalid --health-retries %d: must be 1 or more", retries)
	}
	return config.Health{Cmd: cmd, Interval: interval, Retries: retries}, nil
}

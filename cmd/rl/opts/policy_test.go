package opts

import (
	"strings"
	"testing"
	"time"

	"github.com/rl-containers/rl/rootless/config"
)

func TestParseRestart(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want config.Restart
		ok   bool
	}{
		{"", config.Restart{}, true},
		{"no", config.Restart{Name: "no"}, true},
		{"always", config.Restart{Name: "always"}, true},
		{"on-failure", config.Restart{Name: "on-failure"}, true},
		{"on-failure:3", config.Restart{Name: "on-failure", Max: 3}, true},
		{"on-failure:-1", config.Restart{}, false},
		{"on-failure:x", config.Restart{}, false},
		{"always:2", config.Restart{}, false},
		{"sometimes", config.Restart{}, false},
	} {
		got, err := ParseRestart(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseRestart(%q) = %+v, %v; want %+v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseHealth(t *testing.T) {
	for _, tc := range []struct {
		cmd      string
		interval time.Duration
		retries  int
		want     config.Health
		wantErr  string
	}{
		{"", 0, 0, config.Health{}, ""},
		{"", -time.Second, -1, config.Health{}, ""}, // no command: the timing is not used
		{"true", 30 * time.Second, 3, config.Health{Cmd: "true", Interval: 30 * time.Second, Retries: 3}, ""},
		{"true", 0, 3, config.Health{}, "invalid --health-interval 0s"},
		{"true", time.Second, 0, config.Health{}, "invalid --health-retries 0"},
	} {
		got, err := ParseHealth(tc.cmd, tc.interval, tc.retries)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseHealth(%q, %v, %d) = %+v, %v; want error containing %q", tc.cmd, tc.interval, tc.retries, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseHealth(%q, %v, %d) = %+v, %v; want %+v", tc.cmd, tc.interval, tc.retries, got, err, tc.want)
		}
	}
}

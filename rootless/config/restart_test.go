package config

import (
	"testing"
	"time"
)

func TestRestartWants(t *testing.T) {
	for _, tc := range []struct {
		p              Restart
		code, restarts int
		stopped, want  bool
	}{
		{Restart{}, 1, 0, false, false},
		{Restart{Name: "always"}, 0, 5, false, true},
		{Restart{Name: "always"}, 0, 5, true, false},
		{Restart{Name: "on-failure"}, 0, 0, false, false},
		{Restart{Name: "on-failure"}, 2, 9, false, true},
		{Restart{Name: "on-failure", Max: 2}, 2, 1, false, true},
		{Restart{Name: "on-failure", Max: 2}, 2, 2, false, false},
	} {
		if got := tc.p.Wants(tc.code, tc.restarts, tc.stopped); got != tc.want {
			t.Errorf("%+v.Wants(%d, %d, %v) = %v", tc.p, tc.code, tc.restarts, tc.stopped, got)
		}
	}
	p := Restart{Name: "always"}
	if p.Delay(1) != 100*time.Millisecond || p.Delay(2) != 200*time.Millisecond || p.Delay(30) != time.Minute {
		t.Errorf("delays %v %v %v", p.Delay(1), p.Delay(2), p.Delay(30))
	}
}

package config

import (
	"testing"
	"time"
)

func TestParseRestart(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Restart
		ok   bool
	}{
		{"", Restart{}, true},
		{"no", Restart{Name: "no"}, true},
		{"always", Restart{Name: "always"}, true},
		{"on-failure", Restart{Name: "on-failure"}, true},
		{"on-failure:3", Restart{Name: "on-failure", Max: 3}, true},
		{"on-failure:-1", Restart{}, false},
		{"on-failure:x", Restart{}, false},
		{"always:2", Restart{}, false},
		{"sometimes", Restart{}, false},
	} {
		got, err := ParseRestart(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseRestart(%q) = %+v, %v; want %+v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

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

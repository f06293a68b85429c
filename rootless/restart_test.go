package rootless

import (
	"testing"
	"time"
)

func TestParseRestart(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want RestartPolicy
		ok   bool
	}{
		{"", RestartPolicy{}, true},
		{"no", RestartPolicy{Name: "no"}, true},
		{"always", RestartPolicy{Name: "always"}, true},
		{"on-failure", RestartPolicy{Name: "on-failure"}, true},
		{"on-failure:3", RestartPolicy{Name: "on-failure", Max: 3}, true},
		{"on-failure:-1", RestartPolicy{}, false},
		{"on-failure:x", RestartPolicy{}, false},
		{"always:2", RestartPolicy{}, false},
		{"sometimes", RestartPolicy{}, false},
	} {
		got, err := ParseRestart(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseRestart(%q) = %+v, %v; want %+v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestRestartWants(t *testing.T) {
	for _, tc := range []struct {
		p              RestartPolicy
		code, restarts int
		stopped, want  bool
	}{
		{RestartPolicy{}, 1, 0, false, false},
		{RestartPolicy{Name: "always"}, 0, 5, false, true},
		{RestartPolicy{Name: "always"}, 0, 5, true, false},
		{RestartPolicy{Name: "on-failure"}, 0, 0, false, false},
		{RestartPolicy{Name: "on-failure"}, 2, 9, false, true},
		{RestartPolicy{Name: "on-failure", Max: 2}, 2, 1, false, true},
		{RestartPolicy{Name: "on-failure", Max: 2}, 2, 2, false, false},
	} {
		if got := tc.p.wants(tc.code, tc.restarts, tc.stopped); got != tc.want {
			t.Errorf("%+v.wants(%d, %d, %v) = %v", tc.p, tc.code, tc.restarts, tc.stopped, got)
		}
	}
	p := RestartPolicy{Name: "always"}
	if p.delay(1) != 100*time.Millisecond || p.delay(2) != 200*time.Millisecond || p.delay(30) != time.Minute {
		t.Errorf("delays %v %v %v", p.delay(1), p.delay(2), p.delay(30))
	}
}

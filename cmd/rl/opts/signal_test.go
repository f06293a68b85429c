package opts

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]unix.Signal{
		"KILL": unix.SIGKILL, "sigterm": unix.SIGTERM, "SIGHUP": unix.SIGHUP, "10": unix.SIGUSR1,
		"TERM": unix.SIGTERM, "15": unix.SIGTERM, "term": unix.SIGTERM, "64": 64,
		"RTMIN": 34, "SIGRTMIN+3": 37, "rtmin+3": 37, "RTMAX-1": 63,
	} {
		if got, err := ParseSignal(in); err != nil || got != want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "NOSUCH", "0", "65", "-1", "SIG", "RTMIN+16"} {
		if _, err := ParseSignal(in); err == nil {
			t.Errorf("ParseSignal(%q) succeeded", in)
		}
	}
}

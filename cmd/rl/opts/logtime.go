package opts

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// logTimeLayouts are the times rl logs --since and --until take besides
// durations and Unix times, podman's: RFC 3339 with or without the zone,
// with a comma or a dot before the fraction (date --iso-8601=ns writes a
// comma), and a date alone. A time without a zone is UTC, as podman
// reads it.
var logTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseLogTime reads a --since or --until value (flag names it in the
// error): a duration, before now for --since (past; 10m, and -1s is a
// second from now) and after now for --until, as podman takes them; a
// Unix time in seconds with an optional fraction (1700000000.5); or a
// time in one of logTimeLayouts.
func ParseLogTime(flag, s string, past bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if past {
			d = -d
		}
		return time.Now().Add(d), nil
	}
	if secs, frac, ok := strings.Cut(s, "."); isDigits(secs) && (!ok || isDigits(frac)) {
		n, err := strconv.ParseInt(secs, 10, 64)
		if err == nil {
			ns, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
			return time.Unix(n, ns), nil
		}
	}
	v := strings.Replace(s, ",", ".", 1)
	for _, layout := range logTimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid %s %q: give a duration (10m), a Unix time or an RFC 3339 time", flag, s)
}

// isDigits is true for a non-empty string of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

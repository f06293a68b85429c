package opts

import (
	"testing"
	"time"
)

func TestParseLogTime(t *testing.T) {
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for in, want := range map[string]time.Time{
		"1700000000":                          time.Unix(1700000000, 0),
		"1700000000.25":                       time.Unix(1700000000, 250000000),
		"2026-12-01T10:00:00+00:00":           utc("2026-12-01T10:00:00Z"),
		"2026-12-01T10:00:00,123456789+02:00": utc("2026-12-01T08:00:00.123456789Z"),
		"2026-12-01T10:00:00.5Z":              utc("2026-12-01T10:00:00.5Z"),
	} {
		got, err := ParseLogTime("--since", in, true)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	got, _ := ParseLogTime("--since", "10m", true)
	if d := time.Since(got); d < 10*time.Minute || d > 11*time.Minute {
		t.Errorf("10m: %v ago", d)
	}
	if got, _ := ParseLogTime("--since", "-1s", true); !got.After(time.Now()) {
		t.Errorf("-1s is not in the future: %v", got)
	}
	if got, _ := ParseLogTime("--until", "3s", false); !got.After(time.Now()) {
		t.Errorf("--until 3s is not in the future: %v", got)
	}
	if got, err := ParseLogTime("--until", "", false); err != nil || !got.IsZero() {
		t.Errorf("empty: %v %v", got, err)
	}
	for _, bad := range []string{"yesterday", "12:00", "1700000000.x", "2026-13-01"} {
		if _, err := ParseLogTime("--since", bad, true); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func FuzzParseLogTime(f *testing.F) {
	for _, s := range []string{"10m", "-1s", "1700000000.5", "2026-12-01T10:00:00,1+00:00", "2026-12-01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseLogTime("--since", s, true)
	})
}

func FuzzParseLog(f *testing.F) {
	for _, s := range []string{"max-size=10m", "path=/x", "tag=a", "x", "max-size=-1", "max-size=1.5kb"} {
		f.Add("k8s-file", s)
	}
	f.Fuzz(func(t *testing.T, driver, opt string) {
		l, err := ParseLog(driver, []string{opt})
		if err == nil && (l.Size < 0 || !l.Logs() && l.Driver != "none" && l.Driver != "passthrough") {
			t.Errorf("ParseLog(%q, %q) = %+v", driver, opt, l)
		}
	})
}

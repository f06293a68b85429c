package monitor

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLogRoundTrip writes output the way the monitor does (in pieces
// that split lines, a line longer than a record, no final newline) and
// reads it back as rl logs does.
func TestLogRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ctr.log")
	l, err := openLog(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	out, errs := l.stream("stdout"), l.stream("stderr")
	long := strings.Repeat("x", maxRecord+10)
	for _, piece := range []string{"one\ntw", "o\n", long + "\n", "no newline"} {
		if _, err := out.Write([]byte(piece)); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = errs.Write([]byte("oops\n"))
	out.flush()
	errs.flush()
	l.Close()

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := &logReader{r: bufio.NewReader(f)}
	var got []string
	for _, line := range r.lines(true) {
		s := line.stream + ":" + string(line.text)
		if !line.complete {
			s += "(partial)"
		}
		got = append(got, s)
	}
	want := []string{"stdout:one", "stdout:two", "stdout:" + long, "stderr:oops", "stdout:no newline(partial)"}
	if len(got) != len(want) {
		t.Fatalf("got %d lines %q, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %.40q, want %.40q", i, got[i], want[i])
		}
	}
	b, _ := os.ReadFile(path)
	if n := bytes.Count(b, []byte(" stdout P ")); n != 2 {
		t.Errorf("%d partial records, want 2 (the long line's first part, the unterminated end)", n)
	}
}

// TestLogReaderWaitsForARecordsEnd: a record the monitor has half written
// is not a line yet.
func TestLogReaderWaitsForARecordsEnd(t *testing.T) {
	var buf bytes.Buffer
	r := &logReader{r: bufio.NewReader(&buf)}
	buf.WriteString("2026-11-26T03:00:00Z stdout F hel")
	if lines := r.lines(false); len(lines) != 0 {
		t.Fatalf("got %d lines from half a record", len(lines))
	}
	buf.WriteString("lo\n")
	lines := r.lines(false)
	if len(lines) != 1 || string(lines[0].text) != "hello" {
		t.Fatalf("got %+v", lines)
	}
}

func TestLogReaderSince(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("2026-11-26T03:00:00Z stdout F old\n2026-11-26T05:00:00Z stdout F new\n")
	since, _ := time.Parse(time.RFC3339, "2026-11-26T04:00:00Z")
	r := &logReader{r: bufio.NewReader(&buf), since: since}
	lines := r.lines(true)
	if len(lines) != 1 || string(lines[0].text) != "new" {
		t.Fatalf("got %+v", lines)
	}
}

// TestLogReaderKeepsStreamsApart: a stdout line in parts does not take in
// a stderr line written between its parts.
func TestLogReaderKeepsStreamsApart(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("2026-11-26T03:00:00Z stdout P long-\n2026-11-26T03:00:00Z stderr F oops\n2026-11-26T03:00:01Z stdout F line\n")
	r := &logReader{r: bufio.NewReader(&buf)}
	lines := r.lines(true)
	if len(lines) != 2 || lines[0].stream != "stderr" || string(lines[0].text) != "oops" ||
		lines[1].stream != "stdout" || string(lines[1].text) != "long-line" {
		t.Fatalf("got %+v", lines)
	}
}

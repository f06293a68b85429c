package monitor

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/rl-containers/rl/rootless/store"
)

// A container's log (ctr.log in its data directory) holds what a detached
// container wrote, in the CRI's format that podman's k8s-file driver also
// writes: one record a line, "TIME STREAM TAG TEXT", TIME in RFC 3339 with
// nanoseconds, STREAM stdout or stderr, TAG F for the end of a line or P
// for a part of one (a line longer than maxRecord, or output that ended
// without a newline).
const maxRecord = 16 << 10

// logFile is a container's log, open for appending; its streams may write
// from several goroutines.
type logFile struct {
	mu sync.Mutex
	w  *bufio.Writer
	f  *os.File
	// size is the log's size; past max (when not 0) the log starts
	// afresh, as conmon's --log-size-max does.
	size, max int64
}

// openLog opens the log at path for appending, to be kept under max bytes
// (0: no limit).
func openLog(path string, max int64) (*logFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the container log: %w", err)
	}
	l := &logFile{w: bufio.NewWriterSize(f, 64<<10), f: f, max: max}
	if fi, err := f.Stat(); err == nil {
		l.size = fi.Size()
	}
	return l, nil
}

// record appends one record, truncating the log first when it would
// grow past its limit.
func (l *logFile) record(rec []byte) {
	if l.max > 0 && l.size+int64(len(rec)) > l.max {
		_ = l.w.Flush()
		if l.f.Truncate(0) == nil {
			l.size = 0
		}
	}
	n, _ := l.w.Write(rec)
	l.size += int64(n)
}

func (l *logFile) Close() error { return l.f.Close() }

// stream returns a writer whose output becomes the stream's records.
func (l *logFile) stream(name string) *logStream { return &logStream{log: l, name: name} }

// write appends records, one for each complete line of text (tag F) and
// the rest as P when final, and flushes, so that rl logs -f sees output
// as soon as the container writes it.
func (l *logFile) write(name string, text []byte, final bool) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now().Format(time.RFC3339Nano)
	for len(text) > 0 {
		line, rest, full := bytes.Cut(text, []byte{'\n'})
		tag := "F"
		if !full {
			if !final && len(line) < maxRecord {
				break // wait for the rest of the line
			}
			tag = "P"
		}
		if len(line) > maxRecord {
			line, rest, tag = line[:maxRecord], text[maxRecord:], "P"
		}
		l.record(fmt.Appendf(nil, "%s %s %s %s\n", now, name, tag, line))
		text = rest
	}
	_ = l.w.Flush()
	return text
}

// logStream is one stream of a container's output.
type logStream struct {
	log     *logFile
	name    string
	pending []byte
}

func (s *logStream) Write(p []byte) (int, error) {
	s.pending = append(s.pending, p...)
	rest := s.log.write(s.name, s.pending, false)
	s.pending = append(s.pending[:0], rest...)
	return len(p), nil
}

// flush records what is left: output that ended without a newline.
func (s *logStream) flush() {
	s.log.write(s.name, s.pending, true)
	s.pending = s.pending[:0]
}

// LogOptions select what rl logs prints.
type LogOptions struct {
	// Follow keeps printing while the container runs.
	Follow bool
	// Tail is the number of lines from the end to print; negative: all.
	Tail int
	// Since skips lines logged before it, Until those logged after it
	// (the zero time: none); rl logs -f ends at Until.
	Since, Until time.Time
	// Timestamps prefixes each line with the time it was logged.
	Timestamps bool
	// Prefix goes before each line (podman's, of several containers:
	// the short id and a space).
	Prefix string
}

// logLine is one line of output, put together from its records.
type logLine struct {
	time, stream string
	text         []byte
	complete     bool
}

// Logs prints the output of the container c to stdout and stderr, each
// line with one Write (so that the output of several containers that
// share a writer does not mix within a line).
func Logs(c *store.Container, o LogOptions, stdout, stderr io.Writer) error {
	r, err := c.Record()
	if err != nil {
		return err
	}
	path := LogPath(c, r.Options.Log)
	if path == "" {
		return errNotLogging(r.Options.Log.Driver)
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // created, or printed nothing yet
	}
	if err != nil {
		return fmt.Errorf("reading the log of %s: %w", c.State.Name, err)
	}
	defer f.Close()
	// Buffered: a log holds millions of lines.
	out, errOut := bufio.NewWriterSize(stdout, 64<<10), bufio.NewWriterSize(stderr, 64<<10)
	flush := func() {
		_ = out.Flush()
		_ = errOut.Flush()
	}
	defer flush()
	var line []byte
	print := func(l logLine) {
		w := out
		if l.stream == "stderr" {
			w = errOut
		}
		line = append(line[:0], o.Prefix...)
		if o.Timestamps {
			line = append(append(line, l.time...), ' ')
		}
		line = append(line, l.text...)
		if l.complete {
			line = append(line, '\n')
		}
		if w.Available() < len(line) {
			_ = w.Flush()
		}
		_, _ = w.Write(line)
	}
	lr := &logReader{r: bufio.NewReaderSize(f, 64<<10), since: o.Since, until: o.Until}
	lines := lr.lines(!o.Follow)
	if o.Tail >= 0 && len(lines) > o.Tail {
		lines = lines[len(lines)-o.Tail:]
	}
	for _, l := range lines {
		print(l)
	}
	for o.Follow {
		flush()
		running := c.ReadState() == nil && c.State.Active()
		over := !o.Until.IsZero() && time.Now().After(o.Until)
		for _, l := range lr.lines(!running || over) {
			print(l)
		}
		if !running || over {
			return nil
		}
		time.Sleep(50 * time.Millisecond) // polling, as tail -f does
	}
	return nil
}

// logReader parses records into lines, keeping a record that is not
// complete yet (the monitor is writing it) for the next call.
type logReader struct {
	r            *bufio.Reader
	since, until time.Time
	partial      []byte // a record without its newline yet
	// lines are each stream's line being put together from P records.
	open map[string]*logLine
}

// within is true for a record time from since to until.
func (lr *logReader) within(ts string) bool {
	if lr.since.IsZero() && lr.until.IsZero() {
		return true
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return true
	}
	return !t.Before(lr.since) && (lr.until.IsZero() || !t.After(lr.until))
}

// lines returns the lines read since the last call; final (the log is
// complete) adds a last line that ended without a newline.
func (lr *logReader) lines(final bool) []logLine {
	var out []logLine
	keep := func(l *logLine) {
		if lr.within(l.time) {
			out = append(out, *l)
		}
	}
	if lr.open == nil {
		lr.open = map[string]*logLine{}
	}
	for {
		b, err := lr.r.ReadSlice('\n')
		lr.partial = append(lr.partial, b...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if final {
				// Output that ended without a newline: the last lines.
				for _, name := range []string{"stdout", "stderr"} {
					if l := lr.open[name]; l != nil {
						keep(l)
						delete(lr.open, name)
					}
				}
			}
			return out // EOF: the rest comes later
		}
		rec := bytes.TrimSuffix(lr.partial, []byte{'\n'})
		ts, rest, _ := bytes.Cut(rec, []byte{' '})
		stream, rest, _ := bytes.Cut(rest, []byte{' '})
		tag, text, _ := bytes.Cut(rest, []byte{' '})
		l := lr.open[string(stream)]
		if l == nil {
			l = &logLine{time: string(ts), stream: string(stream)}
			lr.open[l.stream] = l
		}
		l.text = append(l.text, text...)
		lr.partial = lr.partial[:0]
		if string(tag) == "P" {
			continue
		}
		l.complete = true
		keep(l)
		delete(lr.open, l.stream)
	}
}

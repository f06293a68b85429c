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
}

func openLog(path string) (*logFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the container log: %w", err)
	}
	return &logFile{w: bufio.NewWriterSize(f, 64<<10), f: f}, nil
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
		fmt.Fprintf(l.w, "%s %s %s %s\n", now, name, tag, line)
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
	// Since skips lines logged before it (the zero time: none).
	Since time.Time
	// Timestamps prefixes each line with the time it was logged.
	Timestamps bool
}

// logLine is one line of output, put together from its records.
type logLine struct {
	time, stream string
	text         []byte
	complete     bool
}

// Logs prints the output of the container c to stdout and stderr.
func Logs(c *store.Container, o LogOptions, stdout, stderr io.Writer) error {
	f, err := os.Open(c.LogPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil // it ran in the foreground, or printed nothing yet
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
	print := func(l logLine) {
		w := out
		if l.stream == "stderr" {
			w = errOut
		}
		if o.Timestamps {
			_, _ = w.WriteString(l.time + " ")
		}
		_, _ = w.Write(l.text)
		if l.complete {
			_ = w.WriteByte('\n')
		}
	}
	r := &logReader{r: bufio.NewReaderSize(f, 64<<10), since: o.Since}
	lines := r.lines(!o.Follow)
	if o.Tail >= 0 && len(lines) > o.Tail {
		lines = lines[len(lines)-o.Tail:]
	}
	for _, l := range lines {
		print(l)
	}
	for o.Follow {
		flush()
		running := c.ReadState() == nil && c.State.Active()
		for _, l := range r.lines(!running) {
			print(l)
		}
		if !running {
			return nil
		}
		time.Sleep(50 * time.Millisecond) // polling, as tail -f does
	}
	return nil
}

// logReader parses records into lines, keeping a record that is not
// complete yet (the monitor is writing it) for the next call.
type logReader struct {
	r       *bufio.Reader
	since   time.Time
	partial []byte // a record without its newline yet
	// lines are each stream's line being put together from P records.
	open map[string]*logLine
}

// before is true for a record time before since.
func (lr *logReader) before(ts string) bool {
	t, err := time.Parse(time.RFC3339Nano, ts)
	return err == nil && t.Before(lr.since)
}

// lines returns the lines read since the last call; final (the log is
// complete) adds a last line that ended without a newline.
func (lr *logReader) lines(final bool) []logLine {
	var out []logLine
	keep := func(l *logLine) {
		if lr.since.IsZero() || !lr.before(l.time) {
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

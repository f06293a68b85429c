package opts

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// ParseLabels builds a container's labels as podman does: each
// --label-file's KEY=VALUE lines (blank lines and # comments skipped, a
// bare KEY ignored), then each --label KEY[=VALUE], a bare KEY giving an
// empty value. A later value of a key replaces an earlier one. It returns
// nil when there are none.
func ParseLabels(labels, files []string) (map[string]string, error) {
	out := map[string]string{}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading --label-file: %w", err)
		}
		err = parseLabelFile(f, path, out)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	for _, l := range labels {
		k, v, _ := strings.Cut(l, "=")
		if err := checkLabelKey(k); err != nil {
			return nil, fmt.Errorf("invalid --label %q: %w", l, err)
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// parseLabelFile adds the labels of one --label-file, read from r, to
// out; name is the file's, for errors.
func parseLabelFile(r io.Reader, name string, out map[string]string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimLeft(sc.Text(), " \t\n\v\f\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, hasValue := strings.Cut(line, "=")
		if err := checkLabelKey(k); err != nil {
			return fmt.Errorf("invalid label in --label-file %s line %d: %w", name, n, err)
		}
		if hasValue {
			out[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading --label-file %s: %w", name, err)
	}
	return nil
}

// checkLabelKey refuses an empty key (podman: "=value") and one with
// white space or NUL in it.
func checkLabelKey(k string) error {
	switch {
	case k == "":
		return fmt.Errorf("no name before \"=\": want KEY=VALUE")
	case strings.ContainsAny(k, " \t\n\v\f\r\x00"):
		return fmt.Errorf("name %q has white space in it: want KEY=VALUE", k)
	}
	return nil
}

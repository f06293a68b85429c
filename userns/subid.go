package userns

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Default locations of the subordinate id files read by newuidmap(1) and
// newgidmap(1). RL_SUBUID_FILE and RL_SUBGID_FILE override them for rl's own
// reading (newuidmap still checks the real files).
const (
	SubUIDFile = "/etc/subuid"
	SubGIDFile = "/etc/subgid"
)

// Range is one subordinate id range: Count ids starting at Start.
type Range struct {
	Start uint32
	Count uint32
}

// ErrMalformed marks a line of a subid file that names the user but cannot be
// parsed.
var ErrMalformed = errors.New("malformed line")

// ParseSubIDs returns the ranges in r (the subuid(5) format
// "name-or-id:start:count") that belong to the user called name or with the
// numeric id. Blank lines and comments are skipped. Lines for other users are
// ignored even when malformed, as newuidmap does; a malformed line for this
// user is an error, because silently using fewer ids would surprise.
func ParseSubIDs(r io.Reader, name string, id uint32) ([]Range, error) {
	var ranges []Range
	sc := bufio.NewScanner(r)
	idStr := strconv.FormatUint(uint64(id), 10)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		owner, rest, _ := strings.Cut(line, ":")
		// An empty owner names nobody, even when the caller's name is
		// unknown ("").
		if owner == "" || owner != name && owner != idStr {
			continue
		}
		fields := strings.Split(rest, ":")
		if len(fields) != 2 {
			return nil, fmt.Errorf("line %d %q: %w: want name:start:count", n, line, ErrMalformed)
		}
		start, err1 := strconv.ParseUint(fields[0], 10, 32)
		count, err2 := strconv.ParseUint(fields[1], 10, 32)
		// The kernel refuses a map whose first+count wraps around 32
		// bits (user_namespaces(7)); id 2^32-1 is (uid_t)-1, no id.
		if err1 != nil || err2 != nil || count == 0 || start+count >= 1<<32 {
			return nil, fmt.Errorf("line %d %q: %w: start and count must be numbers, count > 0", n, line, ErrMalformed)
		}
		ranges = append(ranges, Range{Start: uint32(start), Count: uint32(count)})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return ranges, nil
}

// ReadSubIDs reads the ranges of a user from a subid file. A missing file
// means no ranges.
func ReadSubIDs(path, name string, id uint32) ([]Range, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	ranges, err := ParseSubIDs(f, name, id)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return ranges, nil
}

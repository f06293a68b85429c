package userns

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseSubIDs fuzzes an /etc/subuid file and the user it is read for.
// Every range rl takes must be one the kernel accepts in a uid_map line
// (user_namespaces(7): first+count may not wrap around 32 bits), must come
// from a line that names the user, and written back as subuid lines must
// read the same.
func FuzzParseSubIDs(f *testing.F) {
	f.Fuzz(func(t *testing.T, file, name string, id uint32) {
		ranges, err := ParseSubIDs(strings.NewReader(file), name, id)
		if err != nil {
			if ranges != nil {
				t.Fatalf("ranges %v with error %v", ranges, err)
			}
			if !errors.Is(err, ErrMalformed) && !strings.Contains(err.Error(), "too long") {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		idStr := strconv.FormatUint(uint64(id), 10)
		var own int
		for _, line := range strings.Split(file, "\n") {
			line = strings.TrimSpace(line)
			owner, _, _ := strings.Cut(line, ":")
			if line != "" && !strings.HasPrefix(line, "#") && owner != "" && (owner == name || owner == idStr) {
				own++
			}
		}
		if len(ranges) != own {
			t.Fatalf("%d ranges from %d lines of user %q (%d): %v", len(ranges), own, name, id, ranges)
		}
		var b strings.Builder
		for _, r := range ranges {
			if r.Count == 0 {
				t.Fatalf("range %v: no ids", r)
			}
			if r.Start+r.Count <= r.Start {
				t.Fatalf("range %v: start+count wraps around", r)
			}
			fmt.Fprintf(&b, "%d:%d:%d\n", id, r.Start, r.Count)
		}
		again, err := ParseSubIDs(strings.NewReader(b.String()), name, id)
		if err != nil || !reflect.DeepEqual(again, ranges) {
			t.Fatalf("%v written back reads as %v, %v", ranges, again, err)
		}
	})
}

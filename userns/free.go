package userns

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Where useradd(8) starts subordinate ranges (login.defs SUB_UID_MIN,
// SUB_GID_MIN), and the count it gives (SUB_UID_COUNT).
const (
	SuggestFrom  = 100000
	SuggestCount = 65536
)

// SubUIDPath and SubGIDPath are the subordinate id files rl reads:
// RL_SUBUID_FILE and RL_SUBGID_FILE when set, else /etc/subuid and
// /etc/subgid.
func SubUIDPath() string { return envOr("RL_SUBUID_FILE", SubUIDFile) }

// SubGIDPath: see SubUIDPath.
func SubGIDPath() string { return envOr("RL_SUBGID_FILE", SubGIDFile) }

// ParseAllRanges returns every range in a subid file, whoever it belongs
// to: the ids another user may already have. Lines that do not parse are
// skipped (they give nobody ids).
func ParseAllRanges(r io.Reader) []Range {
	return parseRanges(r, func(string) bool { return true })
}

// ParseOthersRanges returns the ranges in a subid file of every user but
// the one called name or with the numeric id: those that the user's own
// ranges must not overlap (rl doctor).
func ParseOthersRanges(r io.Reader, name string, id uint32) []Range {
	idStr := strconv.FormatUint(uint64(id), 10)
	return parseRanges(r, func(owner string) bool { return owner != name && owner != idStr })
}

// parseRanges returns the ranges of the lines whose owner keep accepts.
func parseRanges(r io.Reader, keep func(owner string) bool) []Range {
	var ranges []Range
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Split(strings.TrimSpace(sc.Text()), ":")
		if len(f) != 3 || strings.HasPrefix(f[0], "#") || !keep(f[0]) {
			continue
		}
		start, err1 := strconv.ParseUint(f[1], 10, 32)
		count, err2 := strconv.ParseUint(f[2], 10, 32)
		if err1 != nil || err2 != nil || count == 0 {
			continue
		}
		if start+count > 1<<32 {
			count = 1<<32 - start // what it could take: all up to 2^32
		}
		ranges = append(ranges, Range{Start: uint32(start), Count: uint32(count)})
	}
	return ranges
}

// FreeRange returns the lowest range of count ids at or above from that
// overlaps none of taken, or false when none fits below 2^32-1.
func FreeRange(taken []Range, from, count uint32) (Range, bool) {
	sorted := slices.Clone(taken)
	slices.SortFunc(sorted, func(a, b Range) int { return cmp.Compare(a.Start, b.Start) })
	start := uint64(from)
	for _, t := range sorted {
		end := uint64(t.Start) + uint64(t.Count)
		if end <= start {
			continue
		}
		if uint64(t.Start) >= start+uint64(count) {
			break
		}
		start = end
	}
	// A range may not reach id 2^32-1, (uid_t)-1 (see ParseSubIDs).
	if count == 0 || start+uint64(count) >= 1<<32 {
		return Range{}, false
	}
	return Range{Start: uint32(start), Count: count}, true
}

// UsermodCommand is the command that gives user a range of count ids free
// in both subordinate id files (read from the paths given; a missing or
// unreadable file has no ranges), for a hint. It suggests the same range
// for uids and gids.
func UsermodCommand(subuid, subgid, user string, count uint32) string {
	var taken []Range
	for _, p := range []string{subuid, subgid} {
		if f, err := os.Open(p); err == nil {
			taken = append(taken, ParseAllRanges(f)...)
			f.Close()
		}
	}
	r, ok := FreeRange(taken, SuggestFrom, count)
	if !ok {
		return fmt.Sprintf("sudo usermod --add-subuids START-END --add-subgids START-END %s (with %d ids free in %s and %s)", user, count, subuid, subgid)
	}
	ids := fmt.Sprintf("%d-%d", r.Start, uint64(r.Start)+uint64(r.Count)-1)
	return fmt.Sprintf("sudo usermod --add-subuids %s --add-subgids %s %s", ids, ids, user)
}

package monitor

import (
	"bufio"
	"bytes"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// trimResident gives back, once the container runs, what starting it left
// resident in the monitor that its watch does not need: the heap's free
// pages, and the pages of rl's own code and read-only data that the start
// touched (flag and configuration parsing, the launch). Those are the
// executable's private, unwritten file mappings, so madvise(MADV_DONTNEED)
// only drops them from the monitor's page tables: the page cache keeps
// them, and a page the monitor touches again comes back with a minor
// fault. A monitor then holds little more than its goroutines' stacks and
// the runtime (issue 17: a small monitor).
//
// The end of the start touches more after that (the collection's own
// sweep, the signal forwarder, the wait): a second trim once the monitor
// has been idle a while (trimSettle) gives back those pages too, 0.7 MB of
// the 4.3 MB a monitor held.
func trimResident() {
	trimPages()
	time.AfterFunc(trimSettle, trimPages)
}

// trimSettle is how long after the start the second trim comes.
const trimSettle = 100 * time.Millisecond

// trimPages is one trim.
func trimPages() {
	debug.FreeOSMemory()
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		start, end, ok := readOnlyMapping(sc.Text(), exe)
		if ok {
			_, _, _ = unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_DONTNEED)
		}
	}
}

// readOnlyMapping parses a line of /proc/self/maps: the range of a
// private mapping of path that is not writable.
func readOnlyMapping(line, path string) (start, end uintptr, ok bool) {
	f := strings.Fields(line)
	if len(f) < 6 || f[5] != path || len(f[1]) != 4 || f[1][1] != '-' || f[1][3] != 'p' {
		return 0, 0, false
	}
	lo, hi, found := strings.Cut(f[0], "-")
	s, err1 := strconv.ParseUint(lo, 16, 64)
	e, err2 := strconv.ParseUint(hi, 16, 64)
	if !found || err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}

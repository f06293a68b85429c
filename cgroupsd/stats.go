package cgroupsd

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Stats is one sample of a cgroup's use of resources.
type Stats struct {
	CPUUsec      uint64 `json:"cpu_usec"`     // cpu.stat usage_usec
	MemoryBytes  uint64 `json:"memory_bytes"` // memory.current
	MemoryLimit  uint64 `json:"memory_limit"` // memory.max (0: none)
	IOReadBytes  uint64 `json:"io_read_bytes"`
	IOWriteBytes uint64 `json:"io_write_bytes"`
	Pids         uint64 `json:"pids"`       // pids.current
	PidsLimit    uint64 `json:"pids_limit"` // pids.max (0: none)
}

// Sample reads the stats of the cgroup path (below /sys/fs/cgroup). A
// controller the cgroup does not have leaves its fields 0.
func Sample(path string) (Stats, error) {
	dir := filepath.Join(root, path)
	if _, err := os.Stat(filepath.Join(dir, "cgroup.procs")); err != nil {
		return Stats{}, fmt.Errorf("reading the stats of cgroup %s: %w", path, err)
	}
	var s Stats
	s.CPUUsec = keyed(readFile(dir, "cpu.stat"), "usage_usec")
	s.MemoryBytes = number(readFile(dir, "memory.current"))
	s.MemoryLimit = number(readFile(dir, "memory.max"))
	s.Pids = number(readFile(dir, "pids.current"))
	s.PidsLimit = number(readFile(dir, "pids.max"))
	for _, line := range strings.Split(readFile(dir, "io.stat"), "\n") {
		s.IOReadBytes += keyed(strings.ReplaceAll(line, " ", "\n"), "rbytes")
		s.IOWriteBytes += keyed(strings.ReplaceAll(line, " ", "\n"), "wbytes")
	}
	return s, nil
}

// number parses a one-value file; "max" and errors are 0.
func number(s string) uint64 {
	n, _ := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	return n
}

// keyed finds "key value" or "key=value" among lines.
func keyed(text, key string) uint64 {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, key+" "); ok {
			return number(v)
		}
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			return number(v)
		}
	}
	return 0
}

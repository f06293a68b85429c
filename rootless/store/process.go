package store

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Process names one process for as long as it lives, across pid reuse and
// reboots: its pid, its start time (clock ticks after boot, field 22 of
// /proc/PID/stat) and the boot it ran in.
type Process struct {
	Pid   int    `json:"pid"`
	Start uint64 `json:"start"`
	Boot  string `json:"boot"`
}

// ProcessOf returns the Process of pid (the zero one when it is gone).
func ProcessOf(pid int) Process {
	start, err := startTime(pid)
	if err != nil {
		return Process{}
	}
	return Process{Pid: pid, Start: start, Boot: bootID()}
}

// Alive is true while the process runs (a zombie counts as gone).
func (p Process) Alive() bool {
	if p.Pid <= 0 || p.Boot != bootID() {
		return false
	}
	b, err := readFile(fmt.Sprintf("/proc/%d/stat", p.Pid))
	if err != nil {
		return false
	}
	fields, ok := statFields(b)
	if !ok || fields[0] == "Z" || fields[0] == "X" {
		return false
	}
	start, err := strconv.ParseUint(fields[19], 10, 64)
	return err == nil && start == p.Start
}

// startTime reads pid's start time from /proc.
func startTime(pid int) (uint64, error) {
	b, err := readFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	fields, ok := statFields(b)
	if !ok {
		return 0, fmt.Errorf("parsing /proc/%d/stat", pid)
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

// statFields are the fields of a /proc/PID/stat line after the command
// name (which may hold spaces and parentheses): state first, so field N
// of proc(5) is at index N-3.
func statFields(b []byte) ([]string, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, false
	}
	f := strings.Fields(string(b[i+1:]))
	return f, len(f) >= 20
}

// bootID is the kernel's random id of this boot, read once (List reads
// states in several goroutines).
var bootID = sync.OnceValue(func() string {
	b, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return strings.TrimSpace(string(b))
})

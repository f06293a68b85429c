package seccomp

//go:generate go run ./internal/mksysnum zsysnum.go

import (
	"slices"
	"strings"
)

// sysTable is one ABI's syscalls, sorted by name and then number
// (zsysnum.go); a name can have several numbers (x32's rt_sigaction is
// 13 and 512).
type sysTable []sysEntry

type sysEntry struct {
	name string
	nr   int
}

// lookup returns the numbers of syscall name.
func (t sysTable) lookup(name string) []int {
	i, _ := slices.BinarySearchFunc(t, name, func(e sysEntry, n string) int {
		return strings.Compare(e.name, n)
	})
	var nrs []int
	for ; i < len(t) && t[i].name == name; i++ {
		nrs = append(nrs, t[i].nr)
	}
	return nrs
}

package monitor

import "testing"

func TestReadOnlyMapping(t *testing.T) {
	const exe = "/usr/bin/rl"
	for _, tt := range []struct {
		line     string
		ok       bool
		from, to uintptr
	}{
		{"00400000-00c00000 r-xp 00000000 fe:00 123 /usr/bin/rl", true, 0x400000, 0xc00000},
		{"00c00000-01400000 r--p 00800000 fe:00 123 /usr/bin/rl", true, 0xc00000, 0x1400000},
		// Written data, another file, a shared mapping, the heap.
		{"01400000-01500000 rw-p 01000000 fe:00 123 /usr/bin/rl", false, 0, 0},
		{"00400000-00c00000 r-xp 00000000 fe:00 124 /usr/lib/other", false, 0, 0},
		{"00400000-00c00000 r--s 00000000 fe:00 123 /usr/bin/rl", false, 0, 0},
		{"c000000000-c004000000 rw-p 00000000 00:00 0", false, 0, 0},
		{"zz-00c00000 r-xp 00000000 fe:00 123 /usr/bin/rl", false, 0, 0},
	} {
		from, to, ok := readOnlyMapping(tt.line, exe)
		if ok != tt.ok || from != tt.from || to != tt.to {
			t.Errorf("%q: got %#x-%#x %v", tt.line, from, to, ok)
		}
	}
}

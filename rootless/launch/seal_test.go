package launch

import "testing"

func TestSealNeeded(t *testing.T) {
	tests := []struct {
		name  string
		owner uint32
		mode  uint32
		euid  int
		want  bool
	}{
		{"system install, rootless", 0, 0o100755, 1000, false},
		{"system install, read-only", 0, 0o100555, 1000, false},
		{"the user's own install", 1000, 0o100755, 1000, true},
		{"a subordinate uid's", 100000, 0o100755, 1000, true},
		{"root's, group-writable", 0, 0o100775, 1000, true},
		{"root's, world-writable", 0, 0o100757, 1000, true},
		{"rl run as root", 0, 0o100755, 0, true},
	}
	for _, tt := range tests {
		if got := sealNeeded(tt.owner, tt.mode, tt.euid); got != tt.want {
			t.Errorf("%s: sealNeeded(%d, %o, %d) = %v, want %v", tt.name, tt.owner, tt.mode, tt.euid, got, tt.want)
		}
	}
}

package monitor

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAddHostsLine: the line goes at the end of the shared file, in place
// (bind mounts see the same inode), and out again, leaving the rest.
func TestAddHostsLine(t *testing.T) {
	for _, before := range []string{"127.0.0.1\tlocalhost\n10.0.2.100\tweb\n", "10.0.2.100\tweb", ""} {
		path := filepath.Join(t.TempDir(), "hosts")
		if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(path)
		line := "127.0.0.1\t3f2a9c1b0d4e joiner\n"
		remove, err := addHostsLine(path, line)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		want := before
		if want != "" && want[len(want)-1] != '\n' {
			want += "\n"
		}
		if string(got) != want+line {
			t.Errorf("%q: with the line %q, want %q", before, got, want+line)
		}
		if now, _ := os.Stat(path); !os.SameFile(st, now) {
			t.Errorf("%q: the file was replaced, not rewritten", before)
		}
		remove()
		if got, _ := os.ReadFile(path); string(got) != want {
			t.Errorf("%q: without the line %q, want %q", before, got, want)
		}
	}
}

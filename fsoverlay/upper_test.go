package fsoverlay

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPrepareUpper: with every id foreign, the directories that hold the
// paths are made in the upper dir with the lower ones' modes, through
// the lower tree's symlinks, and never through the upper dir's.
func TestPrepareUpper(t *testing.T) {
	lower, upper, outside := t.TempDir(), t.TempDir(), t.TempDir()
	for _, d := range []string{"etc/ssl", "run", "var/lib", "secret/sub"} {
		if err := os.MkdirAll(filepath.Join(lower, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must(t, os.Chmod(filepath.Join(lower, "etc"), 0o711))
	must(t, os.Chmod(filepath.Join(lower, "secret"), 0o700))
	must(t, os.Symlink("../run/resolv.conf", filepath.Join(lower, "etc/resolv.conf")))
	// the container made upper/var a symlink to the host
	must(t, os.Symlink(outside, filepath.Join(upper, "var")))
	foreign := func(uint32, uint32) bool { return false }
	must(t, PrepareUpper(lower, upper, []string{"/proc", "/etc/hostname", "/etc/ssl/certs/x", "/etc/resolv.conf"}, foreign))
	if err := PrepareUpper(lower, upper, []string{"/var/lib/x"}, foreign); err == nil {
		t.Error("made /var/lib in an upper dir whose var is a symlink")
	}
	for path, mode := range map[string]os.FileMode{"etc": 0o711, "etc/ssl": 0o755, "run": 0o755} {
		st, err := os.Lstat(filepath.Join(upper, path))
		if err != nil || !st.IsDir() || st.Mode().Perm() != mode {
			t.Errorf("upper/%s: %v %v, want a directory of mode %o", path, st, err, mode)
		}
	}
	for _, p := range []string{"proc", "etc/hostname", "etc/ssl/certs"} {
		if _, err := os.Lstat(filepath.Join(upper, p)); err == nil {
			t.Errorf("upper/%s made: rl-init makes it", p)
		}
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("made %v through the upper dir's symlink", ents)
	}
	err := PrepareUpper(lower, upper, []string{"/secret/sub/mnt"}, foreign)
	var fe *ForeignError
	if !errors.As(err, &fe) || fe.Dir != "/secret" || !errors.Is(err, unix.EACCES) {
		t.Errorf("a foreign dir without o+x: %v, want a ForeignError for /secret", err)
	}
	must(t, PrepareUpper(lower, upper, []string{"/secret/sub/mnt"}, func(uint32, uint32) bool { return true }))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package network

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckTun(t *testing.T) {
	defer func(p string) { tunPath = p }(tunPath)
	failed := errors.New("starting slirp4netns: exit status 1 (open(\"/dev/net/tun\"): No such file or directory)")

	tunPath = filepath.Join(t.TempDir(), "missing")
	err := checkTun(failed)
	if !errors.Is(err, ErrNoTun) || !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, failed) {
		t.Errorf("a missing device: %v is not ErrNoTun, ENOENT and the helper's error", err)
	}
	if err.Error() != failed.Error() {
		t.Errorf("message %q, want the helper's %q", err, failed)
	}

	tunPath = filepath.Join(t.TempDir(), "tun")
	if err := os.WriteFile(tunPath, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := checkTun(failed); errors.Is(err, ErrNoTun) || !errors.Is(err, failed) {
		t.Errorf("a usable device: %v, want the helper's error alone", err)
	}

	tunPath = filepath.Join(t.TempDir(), "missing")
	noBackend := fmt.Errorf("%w: slirp4netns is not on PATH", ErrNoBackend)
	if err := checkTun(noBackend); !errors.Is(err, ErrNoBackend) || errors.Is(err, ErrNoTun) {
		t.Errorf("no backend: %v", err)
	}
	if checkTun(nil) != nil {
		t.Error("checkTun(nil) != nil")
	}
}

package backend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestGuardedStopsOnLowSpace(t *testing.T) {
	dir := t.TempDir()
	free, ok := freeSpace(dir)
	if !ok {
		t.Skip("statfs fails here")
	}
	err := guarded(context.Background(), dir, Limits{MinFree: free * 2}, func(ctx context.Context) error {
		<-ctx.Done() // a pull that goes on until stopped
		return ctx.Err()
	})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
}

func TestGuardedBoundsAFile(t *testing.T) {
	dir := t.TempDir()
	err := guarded(context.Background(), dir, Limits{MaxFile: 4096}, func(context.Context) error {
		return os.WriteFile(filepath.Join(dir, "big"), make([]byte, 8192), 0o600)
	})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
	// The bound is lifted afterwards.
	if err := os.WriteFile(filepath.Join(dir, "after"), make([]byte, 8192), 0o600); err != nil {
		t.Fatalf("after the guard: %v", err)
	}
}

func TestGuardedPassesOthers(t *testing.T) {
	want := errors.New("no such image")
	if err := guarded(context.Background(), t.TempDir(), Limits{MaxFile: 1 << 20, MinFree: 1}, func(context.Context) error { return want }); !errors.Is(err, want) {
		t.Fatalf("err %v, want the pull's own", err)
	}
}

func TestDiskUsageCountsBlocks(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "sparse"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.WriteFile(filepath.Join(dir, "dense"), make([]byte, 64<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := diskUsage(dir); got < 64<<10 || got > 1<<20 {
		t.Errorf("disk usage %d, want about 64 KiB (the sparse GiB holds nothing)", got)
	}
}

func TestBytesText(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1 << 30: "1 GiB", 1536 << 20: "1.5 GiB", 64 << 30: "64 GiB"} {
		if got := bytesText(n); got != want {
			t.Errorf("bytesText(%d) = %q, want %q", n, got, want)
		}
	}
}

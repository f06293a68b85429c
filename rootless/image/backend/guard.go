package backend

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// A layer bomb is a small layer that unpacks into a lot of disk: a
// gzip of zeros, or a tar whose sparse file storage writes out in full
// (its untar does not keep holes). The guard bounds what adding an image
// may write, in two ways that reach storage-untar, the child process that
// extracts each layer, as well as rl-image itself:
//   - RLIMIT_FSIZE: no file a layer extracts may be larger than
//     Limits.MaxFile (setrlimit(2): a write past it fails with EFBIG, the
//     limit being inherited across fork and exec, with SIGXFSZ ignored);
//   - a watchdog that stops the pull once the graph root's filesystem has
//     less than Limits.MinFree left.
// Either way the pull fails, and atomically removes its layers.

// Limits bound what adding one image may write.
type Limits struct {
	// MaxFile bounds each file of a layer (0 to guarded: no bound).
	MaxFile int64
	// MinFree is the free space that a pull must leave on the store's
	// filesystem (0 to guarded: none).
	MinFree int64
}

// withDefaults fills l's zero fields: files of up to 64 GiB, and at least
// 1 GiB left free on dir's filesystem, or 5% of it when that is less.
func (l Limits) withDefaults(dir string) Limits {
	if l.MaxFile == 0 {
		l.MaxFile = 64 << 30
	}
	if l.MinFree == 0 {
		l.MinFree = 1 << 30
		var st unix.Statfs_t
		if unix.Statfs(dir, &st) == nil {
			l.MinFree = min(l.MinFree, int64(st.Blocks)*st.Bsize/20)
		}
	}
	return l
}

// ErrTooLarge is wrapped by the error of a pull that the guard stopped.
var ErrTooLarge = errors.New("the image is larger than the store allows")

// guarded runs add under the limits: add's context is cancelled when free
// space runs low, and a file that would pass MaxFile fails to write.
func guarded(ctx context.Context, dir string, l Limits, add func(ctx context.Context) error) error {
	if l.MaxFile > 0 {
		var old unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_FSIZE, &old); err == nil && (old.Cur == unix.RLIM_INFINITY || int64(old.Cur) > l.MaxFile) {
			signal.Ignore(unix.SIGXFSZ)
			lim := unix.Rlimit{Cur: uint64(l.MaxFile), Max: old.Max}
			if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &lim); err == nil {
				defer func() { _ = unix.Setrlimit(unix.RLIMIT_FSIZE, &old) }()
			}
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := make(chan struct{})
	defer close(stop)
	if l.MinFree > 0 {
		go watchFree(dir, l.MinFree, stop, cancel)
	}
	err := add(ctx)
	if cause := context.Cause(ctx); err != nil && errors.Is(cause, ErrTooLarge) {
		return cause
	}
	if err != nil && l.MaxFile > 0 && fileTooLarge(err) {
		return fmt.Errorf("%w: a file of a layer is larger than %s (max_layer_file in rl.conf)", ErrTooLarge, bytesText(l.MaxFile))
	}
	return err
}

// watchFree cancels with ErrTooLarge once dir's filesystem has less than
// minFree bytes available, polling until stop is closed.
func watchFree(dir string, minFree int64, stop chan struct{}, cancel context.CancelCauseFunc) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		if free, ok := freeSpace(dir); ok && free < minFree {
			// ENOSPC: to the front end (and its hint) the disk is full.
			cancel(fmt.Errorf("%w: it would leave less than %s free on %s (min_free in rl.conf): %w", ErrTooLarge, bytesText(minFree), dir, unix.ENOSPC))
			return
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// freeSpace is what an unprivileged writer may still use of dir's
// filesystem.
func freeSpace(dir string) (int64, bool) {
	var st unix.Statfs_t
	if unix.Statfs(dir, &st) != nil {
		return 0, false
	}
	return int64(st.Bavail) * st.Bsize, true
}

// fileTooLarge is true for an error of a write past RLIMIT_FSIZE: EFBIG,
// typed from rl-image's own writes, or as text from storage-untar, whose
// errors reach rl-image only as its output.
func fileTooLarge(err error) bool {
	return errors.Is(err, unix.EFBIG) || strings.Contains(err.Error(), unix.EFBIG.Error())
}

// bytesText is n in binary units, as df -h says it.
func bytesText(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0") + " " + units[i]
}

// diskUsage is the space the files below dir take on disk (their blocks,
// so a sparse file counts what it holds, not its length); errors count
// nothing.
func diskUsage(dir string) int64 {
	var total int64
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		var st unix.Stat_t
		if unix.Lstat(p, &st) == nil {
			total += st.Blocks * 512
		}
		return nil
	})
	return total
}

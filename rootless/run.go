package rootless

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/monitor"
)

// Run runs a container to completion in the foreground and returns its
// command's exit code (128+N when a signal N killed it). Everything that
// can be checked is checked before anything is created; a failure after
// that removes what was made.
func (e *Engine) Run(ctx context.Context, opts config.Container) (int, error) {
	preserved, err := preservedFiles(opts.PreserveFDs)
	if err != nil {
		return 0, err
	}
	// rl-init starts while the container is made.
	booted := monitor.Preboot(opts, preserved)
	c, r, maps, err := e.create(ctx, opts, "")
	if err != nil {
		booted.Abort()
		return 0, err
	}
	// rl is the container's monitor.
	unlock, err := c.LockMonitor(false)
	if err != nil {
		booted.Abort()
		return 0, err
	}
	defer unlock()
	code, err := monitor.RunForeground(c, r, maps, preserved, booted)
	defer monitor.EndPodIfDone(c, r.Options.Labels)
	if err != nil || opts.Remove {
		if opts.Remove {
			c.RecordExit()
		}
		if rmErr := c.RemoveLocked(); rmErr != nil {
			slog.Warn(rmErr.Error())
		} else if opts.Remove {
			if rmErr := e.Volumes().RemoveAnonymous(r.Spec); rmErr != nil {
				slog.Warn(rmErr.Error())
			}
		}
		return code, startExit(err)
	}
	return code, c.Save()
}

// preservedFiles returns fds 3..3+n-1 of rl, which must be open.
func preservedFiles(n int) ([]*os.File, error) {
	files := make([]*os.File, max(n, 0))
	for i := range files {
		fd := 3 + i
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return nil, fmt.Errorf("preserving %d file descriptors: fd %d is not open", n, fd)
		}
		files[i] = os.NewFile(uintptr(fd), fmt.Sprintf("fd%d", fd))
	}
	return files, nil
}

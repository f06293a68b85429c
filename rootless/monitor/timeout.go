package monitor

import (
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// timedOutCode is what rl run exits with when --timeout killed the
// container: podman's 255, whose state records the exit code -1.
const timedOutCode = 255

// killAfter kills the process pid (rl-init, and with it the container)
// once d has passed, as conmon's --timeout does (d 0: never). stop
// cancels it and tells whether it fired.
func killAfter(pid int, d time.Duration) (stop func() bool) {
	if d <= 0 {
		return func() bool { return false }
	}
	var fired atomic.Bool
	t := time.AfterFunc(d, func() {
		fired.Store(true)
		_ = unix.Kill(pid, unix.SIGKILL)
	})
	return func() bool {
		t.Stop()
		return fired.Load()
	}
}

package launch

import (
	"os"
	"os/exec"
	"sync"

	"golang.org/x/sys/unix"
)

// reaping holds the parents of forked inits that said their exit codes
// and are still being reaped: their exit tears the container's
// namespaces down, which takes a millisecond or more.
var reaping = reapers{fds: map[int]int{}}

type reapers struct {
	wg sync.WaitGroup
	mu sync.Mutex
	// fds are pidfds of the processes being reaped, by pid; one that
	// could not be opened is -1.
	fds map[int]int
}

// reap reaps cmd's process in the background and closes gone after.
func (r *reapers) reap(cmd *exec.Cmd, gone chan struct{}) {
	pid := cmd.Process.Pid
	// Our child, not reaped yet: the pid is surely its.
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		fd = -1
	}
	r.wg.Add(1)
	r.mu.Lock()
	r.fds[pid] = fd
	r.mu.Unlock()
	go func() {
		defer r.wg.Done()
		_ = cmd.Wait()
		r.mu.Lock()
		if fd >= 0 {
			unix.Close(fd)
		}
		delete(r.fds, pid)
		r.mu.Unlock()
		close(gone)
	}()
}

// Settle waits until every rl-init that this process started is reaped: a
// command that started containers calls it before it exits, so that no
// rl-init outlives it, while their namespaces' teardown (the exit pipe)
// overlaps with its own last work, such as removing a --rm container.
func Settle() { reaping.wg.Wait() }

// Unsettled returns a pidfd of each rl-init that Settle would wait for, so
// that a process that outlives this one (the purge of removed
// containers) can wait for them instead. Where one has no pidfd, it
// returns none and ok is false: the caller must Settle. The caller closes
// the files.
func Unsettled() (fds []*os.File, ok bool) {
	reaping.mu.Lock()
	defer reaping.mu.Unlock()
	for _, fd := range reaping.fds {
		dup := -1
		if fd >= 0 {
			dup, _ = unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
		}
		if dup < 0 {
			for _, f := range fds {
				f.Close()
			}
			return nil, false
		}
		fds = append(fds, os.NewFile(uintptr(dup), "pidfd"))
	}
	return fds, true
}

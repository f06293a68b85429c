package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/reexec"
)

// envPurge marks rl re-executed by Purge; its value is the purgeArgs.
const envPurge = "_RL_PURGE"

// maxPurge is how many containers one purge process takes: until it
// starts, this process holds each one's lock open.
const maxPurge = 64

// PurgingLock is the file in the run root that every purge process holds
// a shared flock(2) lock on until it is done: `flock RUNROOT/purging true`
// returns once the files of every container removed so far are gone.
const PurgingLock = "purging"

// purgeArgs are what a purge process is to do: the containers of Store
// whose directories to remove, by id, in the order of the locks it is
// given (fds 3, 4, ...), and then the number of processes to wait for
// before it exits, whose pidfds follow the purging lock.
type purgeArgs struct {
	Store Store
	IDs   []string
	Waits int `json:",omitempty"`
}

// purges are the containers that RemoveLater left to a purge process.
var purges purgeQueue

type purgeQueue struct {
	mu    sync.Mutex
	store Store
	ids   []string
	locks []*os.File
	// busy is the shared lock on the run root's purging file, taken with
	// the first container queued: `flock purging true` then waits for the
	// files from the moment the container is unlisted.
	busy *os.File
	err  error // of a purge done here, where its process did not start
}

func (q *purgeQueue) add(c *Container, lock *os.File) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ids) > 0 && q.store != c.Store {
		q.start(nil)
	}
	if len(q.ids) == 0 {
		q.busy = purgingLock(c.Store)
	}
	q.store = c.Store
	q.ids = append(q.ids, c.State.ID)
	q.locks = append(q.locks, lock)
	if len(q.ids) >= maxPurge {
		q.start(nil)
	}
}

// Purge starts the process that removes the directories of the containers
// that this process removed with RemoveLater, and returns without waiting
// for it; rl calls it as it exits (and after a removal it goes on long
// after, --replace's). That process also waits, before it lets
// go of the purging lock, for the processes of waits (pidfds), and handed
// says it took them. Where it cannot start, the directories are removed
// here and now, and the error is theirs.
func Purge(waits []*os.File) (handed bool, err error) {
	purges.mu.Lock()
	defer purges.mu.Unlock()
	handed = purges.start(waits)
	err = purges.err
	purges.err = nil
	return handed, err
}

// start hands the queue to a purge process, with waits; q.mu is held. It
// returns whether that process started.
func (q *purgeQueue) start(waits []*os.File) bool {
	if len(q.ids) == 0 {
		return false
	}
	a := purgeArgs{Store: q.store, IDs: q.ids, Waits: len(waits)}
	started := q.busy != nil && spawnPurge(a, q.locks, q.busy, waits) == nil
	if !started {
		q.err = errors.Join(q.err, a.run(nil))
	}
	for _, f := range q.locks {
		f.Close()
	}
	if q.busy != nil {
		q.busy.Close()
	}
	q.ids, q.locks, q.busy = nil, nil, nil
	return started
}

// purgingLock opens the purging file of s's run root and takes a shared
// lock on it; nil where it cannot (the purge is then done here).
func purgingLock(s Store) *os.File {
	f, err := os.OpenFile(filepath.Join(s.RunRoot, PurgingLock), os.O_RDONLY|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil
	}
	if flock(f, unix.LOCK_SH) != nil {
		f.Close()
		return nil
	}
	return f
}

// spawnPurge starts the purge process of a, in a session of its own with
// no stdio, holding the locks, the purging lock (busy) and waits: rl-init
// where it is beside rl (a purge without a Go runtime's start costs a
// quarter of the CPU), else rl.
func spawnPurge(a purgeArgs, locks []*os.File, busy *os.File, waits []*os.File) error {
	// ps shows it as "rl purge": its comm, or rl's args.
	files := append(append(locks[:len(locks):len(locks)], busy), waits...)
	cmd, err := reexec.Command(envPurge, a, []string{"rl", "purge", a.Store.Root}, files)
	if err == nil {
		if init, err := launch.InitPath(); err == nil {
			cmd.Env = append(cmd.Env, handshake.EnvPurgeRL+"="+cmd.Path, handshake.EnvPurge+"="+strconv.Itoa(a.Waits)+" "+strings.Join(a.IDs, " "))
			cmd.Path, cmd.Args = init, []string{"rl-init", "purge", a.Store.Root, a.Store.RunRoot}
		}
		err = reexec.Launch(cmd)
	}
	if err != nil {
		return fmt.Errorf("starting the purge of removed containers: %w", err)
	}
	return nil
}

// run purges a's containers; done, if any, is told of each one (by its
// index) as it goes.
func (a purgeArgs) run(done func(i int)) error {
	var errs []error
	for i, id := range a.IDs {
		c := &Container{Store: a.Store, State: State{ID: id}}
		if err := c.purge(); err != nil {
			errs = append(errs, fmt.Errorf("removing container %.12s: %w", id, err))
		}
		if done != nil {
			done(i)
		}
	}
	return errors.Join(errs...)
}

// IsPurger is true in a process that Purge started.
func IsPurger() bool { return reexec.Is(envPurge) }

// RunPurger is the main function of Purge's process; it returns its exit
// code.
func RunPurger() int {
	var a purgeArgs
	if err := reexec.Arg(envPurge, &a); err != nil {
		return 125
	}
	// Ours are fds 3 to last, none of them for the processes a removal
	// starts (launch.RemoveAll's); any other that rl had without
	// close-on-exec is not ours to keep open.
	last := 3 + len(a.IDs) + a.Waits
	_ = unix.CloseRange(uint(last+1), ^uint(0), 0)
	_ = unix.CloseRange(3, uint(last), unix.CLOSE_RANGE_CLOEXEC)
	// Each one's lock (fd 3, 4, ...) is let go as soon as it is gone.
	err := a.run(func(i int) { unix.Close(3 + i) })
	waitExited(3+len(a.IDs)+1, a.Waits)
	if err != nil {
		return 1
	}
	return 0
}

// waitExited waits until the n processes of the pidfds from fd on have
// exited (a pidfd polls readable then), for a minute at most.
func waitExited(fd, n int) {
	fds := make([]unix.PollFd, n)
	for i := range fds {
		fds[i] = unix.PollFd{Fd: int32(fd + i), Events: unix.POLLIN}
	}
	for deadline := time.Now().Add(time.Minute); len(fds) > 0 && time.Now().Before(deadline); {
		if _, err := unix.Poll(fds, int(time.Until(deadline).Milliseconds())+1); err != nil && err != unix.EINTR {
			return
		}
		fds = slices.DeleteFunc(fds, func(p unix.PollFd) bool { return p.Revents != 0 })
	}
}

package rootless

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// RunDetached creates a container and starts it under a monitor of its
// own (rl run -d); it returns the container's id once the command runs.
func RunDetached(opts RunOptions, store Store) (string, error) {
	c, err := createDetached(opts, store)
	if err != nil {
		return "", err
	}
	if err := c.startDetached(); err != nil {
		if rmErr := store.removeLocked(c); rmErr != nil {
			slog.Warn(rmErr.Error())
		}
		return "", err
	}
	return c.state.ID, nil
}

// Create makes a container without starting it (rl create) and returns
// its id.
func Create(opts RunOptions, store Store) (string, error) {
	c, err := createDetached(opts, store)
	if err != nil {
		return "", err
	}
	return c.state.ID, nil
}

// createDetached is create for a container that a monitor will start.
func createDetached(opts RunOptions, store Store) (*container, error) {
	if opts.PreserveFDs > 0 {
		return nil, errors.New("--preserve-fds passes rl's own file descriptors, which a detached container cannot have: run it in the foreground")
	}
	c, _, _, err := create(opts, store)
	return c, err
}

// Start starts a created or exited container under a monitor; it does
// nothing to a running one.
func Start(s Store, ref string) error {
	c, err := s.load(ref)
	if err != nil || c.state.active() {
		return err
	}
	if err := os.MkdirAll(c.mountpoint(), 0o700); err != nil {
		return fmt.Errorf("creating container directory: %w", err)
	}
	return c.startDetached()
}

// Stop ends a running container: its stop signal (SIGTERM), then SIGKILL
// after timeout. A container that does not run is left as it is.
func Stop(s Store, ref string, timeout time.Duration) error {
	c, err := s.load(ref)
	if err != nil || !c.state.active() {
		return err
	}
	if err := s.refuseInfra(c.state); err != nil {
		return err
	}
	sig := unix.SIGTERM
	if l, err := c.readLaunch(); err == nil && l.Image.Config.StopSignal != "" {
		if s, err := ParseSignal(l.Image.Config.StopSignal); err == nil {
			sig = s
		}
	}
	return c.signal(sig, timeout)
}

// Kill sends sig to a running container's init process.
func Kill(s Store, ref string, sig unix.Signal) error {
	c, err := s.load(ref)
	if err != nil {
		return err
	}
	if !c.state.active() {
		return fmt.Errorf("container %s is not running: start it first (rl start %s)", ref, ref)
	}
	if err := s.refuseInfra(c.state); err != nil {
		return err
	}
	return c.signal(sig, -1)
}

// Remove deletes a container that does not run, or with force any
// container, killing it first. A pod's infra container goes only with its
// pod.
func Remove(s Store, ref string, force bool) error {
	c, err := s.load(ref)
	if err != nil {
		return err
	}
	if p, err := LookupPod(s, c.state.PodID); err == nil && p.InfraID == c.state.ID {
		return fmt.Errorf("container %s is the infra container of pod %s: remove the pod (rl pod rm %s)", ref, p.Name, p.Name)
	}
	return c.removeContainer(force)
}

// removeContainer is Remove without the infra check.
func (c *container) removeContainer(force bool) error {
	s, ref := c.store, c.state.Name
	// The container's lock, held through the removal, keeps a monitor
	// from starting it meanwhile; while a monitor holds it, the container
	// runs or is being started.
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c.state.active() {
			if !force {
				return fmt.Errorf("container %s is running: stop it first (rl stop %s) or remove it with rl rm -f", ref, ref)
			}
			if err := c.signal(unix.SIGKILL, 0); err != nil {
				return err
			}
		}
		unlockMonitor, err := c.lockMonitor(false)
		if err == nil {
			defer unlockMonitor()
			break
		}
		if !errors.Is(err, errLocked) {
			return nil // removed meanwhile
		}
		if !force {
			return fmt.Errorf("container %s is starting: wait for it, or remove it with rl rm -f", ref)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("container %s: its monitor (pid %d) neither starts it nor lets go of it", ref, c.state.Monitor.Pid)
		}
		// A monitor is starting it: end the monitor when it is known (rl
		// start, rl run -d record theirs first), else wait for the
		// start (a foreground rl run) and kill the container then.
		if c.state.Monitor.Alive() && !c.state.active() {
			if fd, err := unix.PidfdOpen(c.state.Monitor.Pid, 0); err == nil {
				_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
				unix.Close(fd)
			}
		}
		time.Sleep(10 * time.Millisecond)
		if err := c.readState(); err != nil {
			return nil // removed meanwhile
		}
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if !exists(filepath.Join(c.dataDir(), "state.json")) {
		return nil // another rl rm got there first
	}
	return c.remove()
}

// Wait waits for the container to exit and returns its exit code.
func Wait(s Store, ref string) (int, error) {
	c, err := s.load(ref)
	if err != nil {
		// Removed as it exited (--rm): its monitor left the code, found
		// by the full id.
		if code, ok := s.exitCode(ref); ok {
			return code, nil
		}
		return 0, err
	}
	if c.state.active() {
		c.waitMonitor()
		if err := c.readState(); err != nil {
			if code, ok := s.exitCode(c.state.ID); ok {
				return code, nil
			}
			return 0, fmt.Errorf("container %s was removed before its exit code was recorded", ref)
		}
	}
	return c.state.ExitCode, nil
}

// exitCode reads the exit code that the monitor of the removed container
// id left (recordExit).
func (s Store) exitCode(id string) (int, bool) {
	if !validID(id) {
		return 0, false
	}
	b, err := os.ReadFile(filepath.Join(s.RunRoot, "exits", id))
	if err != nil {
		return 0, false
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return code, err == nil
}

// Prune removes every container that does not run, and what dead rl
// processes left half made or half removed; it returns the ids of the
// containers.
func Prune(s Store) ([]string, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	err = s.repair()
	unlock()
	if err != nil {
		return nil, err
	}
	states, err := List(s)
	if err != nil {
		return nil, err
	}
	var ids []string
	var errs []error
	for _, st := range states {
		if st.active() || st.isInfra(s) {
			continue // an infra container goes with its pod
		}
		if err := Remove(s, st.ID, false); err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, st.ID)
	}
	return ids, errors.Join(errs...)
}

// signal sends sig to the container's init process; with a timeout of 0
// or more it then waits that long for the container to exit, kills it
// when it has not, and waits for its monitor to record the exit. The
// exit counts as asked for: --restart does not restart it.
func (c *container) signal(sig unix.Signal, timeout time.Duration) error {
	if f, err := os.Create(c.stopMarker()); err == nil {
		f.Close()
	}
	// Read again now that the marker is there: a container between two
	// runs of --restart has no init (pid 0), and its monitor, seeing the
	// marker, starts no new one.
	if err := c.readState(); err != nil || c.state.Pid == 0 {
		c.waitMonitor()
		return nil
	}
	// A pidfd names the process itself, never a later one with its pid.
	fd, err := unix.PidfdOpen(c.state.Pid, 0)
	if errors.Is(err, unix.ESRCH) {
		c.waitMonitor()
		return nil
	}
	if err != nil {
		return fmt.Errorf("signalling container %.12s: %w", c.state.ID, err)
	}
	defer unix.Close(fd)
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("signalling container %.12s: %w", c.state.ID, err)
	}
	if timeout < 0 {
		return nil
	}
	if sig != unix.SIGKILL && !exited(fd, timeout) {
		slog.Info("the container did not exit in time: killing it", "id", c.state.ID[:12], "timeout", timeout)
		_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
	}
	c.waitMonitor()
	return nil
}

// exited waits up to timeout for the process of pidfd to exit.
func exited(pidfd int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		ms := max(int(time.Until(deadline).Milliseconds()), 0)
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}, ms)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return n > 0 || err != nil
	}
}

// waitMonitor waits until the container's monitor is gone: it has
// recorded the exit (and applied --rm).
func (c *container) waitMonitor() {
	if unlock, err := c.lockMonitor(true); err == nil {
		unlock()
	}
}

// removeLocked removes c under the store's lock.
func (s Store) removeLocked(c *container) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return c.remove()
}

// lock takes the store's lock, which orders removals.
func (s Store) lock() (unlock func(), err error) {
	if err := os.MkdirAll(s.Root, 0o700); err != nil {
		return nil, fmt.Errorf("creating the storage root: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(s.Root, "containers.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking the container store: %w", err)
	}
	if err := flock(f, unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking the container store: %w", err)
	}
	return func() { f.Close() }, nil
}

// flock is flock(2), retried when a signal interrupts it.
func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// ParseSignal reads a signal: a name with or without SIG (TERM, SIGHUP)
// or a number.
func ParseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n <= 64 {
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("invalid signal %q: give a name (TERM, SIGHUP) or a number from 1 to 64", s)
}

package rootless

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/store"
)

// RunDetached creates a container and starts it under a monitor of its
// own (rl run -d); it returns the container's id once the command runs.
// A container that fails to start is kept, unless opts.Remove.
func (e *Engine) RunDetached(ctx context.Context, opts config.Container) (string, error) {
	// The monitor starts up while the container is made.
	id, err := store.NewID()
	if err != nil {
		return "", err
	}
	m, err := monitor.Spawn(e.Store, id)
	if err != nil {
		return "", err
	}
	c, err := e.createDetached(ctx, opts, id)
	if err != nil {
		m.Abort()
		return "", err
	}
	if err := m.Start(); err != nil {
		// As podman, a container that failed to start stays, for
		// inspect, logs or another start; with --rm it goes.
		if opts.Remove {
			leave := onNetworks(c)
			if rmErr := c.RemoveLocked(); rmErr != nil {
				slog.Warn(rmErr.Error())
			}
			leave()
		}
		return "", startExit(err)
	}
	return c.State.ID, nil
}

// startExit gives a failure to start a container podman's exit code where
// it is not 125: 126 for a published host port that another process
// holds, as for a command that cannot be executed (podman's choice).
func startExit(err error) error {
	if errors.Is(err, unix.EADDRINUSE) {
		return &launch.ExitError{Code: 126, Err: err}
	}
	return err
}

// Create makes a container without starting it (rl create) and returns
// its id.
func (e *Engine) Create(ctx context.Context, opts config.Container) (string, error) {
	c, err := e.createDetached(ctx, opts, "")
	if err != nil {
		return "", err
	}
	return c.State.ID, nil
}

// createDetached is create for a container that a monitor will start.
func (e *Engine) createDetached(ctx context.Context, opts config.Container, id string) (*store.Container, error) {
	if opts.PreserveFDs > 0 {
		return nil, errors.New("--preserve-fds passes rl's own file descriptors, which a detached container cannot have: run it in the foreground")
	}
	c, _, _, err := e.create(ctx, opts, id)
	return c, err
}

// Start starts a created or exited container under a monitor; it does
// nothing to a running one.
func (e *Engine) Start(ctx context.Context, ref string) error {
	c, err := e.Store.Load(ref)
	if err != nil || c.State.Active() {
		return err
	}
	if err := os.MkdirAll(c.Mountpoint(), 0o700); err != nil {
		return fmt.Errorf("creating container directory: %w", err)
	}
	return startExit(monitor.StartDetached(c))
}

// Stop ends a running container: its stop signal (SIGTERM), then SIGKILL
// after timeout, with a warning as podman gives; a timeout of 0 is
// SIGKILL at once. A container that does not run is left as it is.
func (e *Engine) Stop(ctx context.Context, ref string, timeout time.Duration) error {
	c, err := e.Store.Load(ref)
	if err != nil || !c.State.Active() {
		return err
	}
	if err := e.refuseInfra(c.State); err != nil {
		return err
	}
	r, _ := c.Record()
	sig, timeout := stopPolicy(r, timeout)
	if timeout == 0 {
		return signal(c, unix.SIGKILL, 0)
	}
	return signal(c, sig, timeout)
}

// Kill sends sig to a running container's init process.
func (e *Engine) Kill(ctx context.Context, ref string, sig unix.Signal) error {
	c, err := e.Store.Load(ref)
	if err != nil {
		return err
	}
	if !c.State.Active() {
		return fmt.Errorf("container %s is not running: start it first (rl start %s)", ref, ref)
	}
	if err := e.refuseInfra(c.State); err != nil {
		return err
	}
	return signal(c, sig, -1)
}

// ErrStateImproper is the cause of a refusal to act on a container in
// its present state, such as removing a running one without force
// (podman's "container state improper"; rl rm exits 2 with it).
var ErrStateImproper = errors.New("container state improper")

// Remove deletes a container that does not run, or with force any
// container, killing it first. A pod's infra container goes only with its
// pod, and a container that others depend on only after them.
func (e *Engine) Remove(ctx context.Context, ref string, force bool) error {
	return e.RemoveGrace(ctx, ref, force, -1)
}

// RemoveGrace is Remove, where force stops a running container as Stop
// does with the timeout grace first; with a negative grace it is killed
// at once.
func (e *Engine) RemoveGrace(ctx context.Context, ref string, force bool, grace time.Duration) error {
	c, err := e.Store.Load(ref)
	if err != nil {
		return err
	}
	if p, err := e.Store.LoadPod(c.State.PodID); err == nil && p.InfraID == c.State.ID {
		return fmt.Errorf("container %s is the infra container of pod %s and cannot be removed without removing the pod (rl pod rm %s, or rl rm --depend %s)", ref, p.Name, p.Name, ref)
	}
	if err := checkNoDependents(c, ref); err != nil {
		return err
	}
	if force && grace >= 0 && c.State.Active() {
		if err := e.Stop(ctx, c.State.ID, grace); err != nil {
			return err
		}
		if err := c.ReadState(); err != nil {
			return nil // removed as it exited (--rm)
		}
	}
	return removeContainer(c, force)
}

// removeContainer is Remove without the infra check.
func removeContainer(c *store.Container, force bool) error {
	ref := c.State.Name
	// The container's lock, held through the removal, keeps a monitor
	// from starting it meanwhile; while a monitor holds it, the container
	// runs or is being started.
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c.State.Active() {
			if !force {
				return fmt.Errorf("cannot remove container %s as it is running: %w (stop it first: rl stop %s, or remove it with rl rm -f)", ref, ErrStateImproper, ref)
			}
			if err := signal(c, unix.SIGKILL, 0); err != nil {
				return err
			}
		}
		unlockMonitor, err := c.LockMonitor(false)
		if err == nil {
			defer unlockMonitor()
			break
		}
		if !errors.Is(err, store.ErrLocked) {
			return nil // removed meanwhile
		}
		if c.ReadState() != nil {
			return nil // removed meanwhile: its purge holds the lock
		}
		if !force {
			return fmt.Errorf("container %s is starting: wait for it, or remove it with rl rm -f", ref)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("container %s: its monitor (pid %d) neither starts it nor lets go of it", ref, c.State.Monitor.Pid)
		}
		// A monitor is starting it: end the monitor when it is known (rl
		// start, rl run -d record theirs first), else wait for the
		// start (a foreground rl run) and kill the container then.
		if c.State.Monitor.Alive() && !c.State.Active() {
			if fd, err := unix.PidfdOpen(c.State.Monitor.Pid, 0); err == nil {
				_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
				unix.Close(fd)
			}
		}
		time.Sleep(10 * time.Millisecond)
		if err := c.ReadState(); err != nil {
			return nil // removed meanwhile
		}
	}
	unlock, err := c.Store.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	if !store.Exists(filepath.Join(c.DataDir(), "state.json")) {
		return nil // another rl rm got there first
	}
	leave := onNetworks(c)
	if err := c.RemoveLater(); err != nil {
		return err
	}
	leave()
	return nil
}

// Wait waits for the container to exit and returns its exit code.
func (e *Engine) Wait(ctx context.Context, ref string) (int, error) {
	c, err := e.Store.Load(ref)
	if err != nil {
		// Removed as it exited (--rm): its monitor left the code, found
		// by the full id.
		if code, ok := e.Store.ExitCode(ref); ok {
			return code, nil
		}
		return 0, err
	}
	if c.State.Active() {
		c.WaitMonitor()
		if err := c.ReadState(); err != nil {
			if code, ok := e.Store.ExitCode(c.State.ID); ok {
				return code, nil
			}
			return 0, fmt.Errorf("container %s was removed before its exit code was recorded", ref)
		}
	}
	return c.State.ExitCode, nil
}

// Prune removes every container that does not run, but those whose
// network a running one joins, and what dead rl processes left half made
// or half removed; it returns the ids of the containers.
func (e *Engine) Prune(ctx context.Context) ([]string, error) {
	unlock, err := e.Store.Lock()
	if err != nil {
		return nil, err
	}
	err = e.Store.Repair()
	unlock()
	if err != nil {
		return nil, err
	}
	states, err := e.Store.List()
	if err != nil {
		return nil, err
	}
	var ids []string
	var errs []error
	// Newest first: a container that joins another's network is newer
	// than that one, and goes before it.
	for _, st := range slices.Backward(states) {
		if st.Active() || e.Store.IsInfra(st) {
			continue // an infra container goes with its pod
		}
		err := e.Remove(ctx, st.ID, false)
		if errors.Is(err, ErrDependents) {
			continue // a running container needs it
		}
		if err != nil {
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
func signal(c *store.Container, sig unix.Signal, timeout time.Duration) error {
	c.MarkStopped(timeout >= 0)
	// Read again now that the marker is there: a container between two
	// runs of --restart has no init (pid 0), and its monitor, seeing the
	// marker, starts no new one.
	if err := c.ReadState(); err != nil || c.State.Pid == 0 {
		c.WaitMonitor()
		return nil
	}
	// A pidfd names the process itself, never a later one with its pid.
	fd, err := unix.PidfdOpen(c.State.Pid, 0)
	if errors.Is(err, unix.ESRCH) {
		c.WaitMonitor()
		return nil
	}
	if err != nil {
		return fmt.Errorf("signalling container %.12s: %w", c.State.ID, err)
	}
	defer unix.Close(fd)
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("signalling container %.12s: %w", c.State.ID, err)
	}
	if timeout < 0 {
		return nil
	}
	if sig != unix.SIGKILL && !exited(fd, timeout) {
		// podman's words, which scripts look for.
		slog.Warn(fmt.Sprintf("StopSignal %s failed to stop container %s in %d seconds, resorting to SIGKILL",
			unix.SignalName(sig), c.State.Name, int(timeout.Seconds())))
		_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
	}
	c.WaitMonitor()
	return nil
}

// WaitForever is a stop timeout without limit: the stop signal, and no
// SIGKILL after it (podman's stop -t -1).
const WaitForever = time.Duration(math.MaxInt64)

// exited waits up to timeout for the process of pidfd to exit.
func exited(pidfd int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		ms := max(int(time.Until(deadline).Milliseconds()), 0)
		if timeout == WaitForever {
			ms = -1 // poll(2) without a timeout
		}
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}, ms)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return n > 0 || err != nil
	}
}

package launch

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// Options are one launch's inputs; which of them are read depends on the
// plan's steps.
type Options struct {
	Variant Variant
	// Target is the host pid whose namespaces rl-init joins (PodMember:
	// the pod's infra process; Exec: the container's init; JoinNetwork:
	// the rl-init of the container whose network it joins).
	Target int
	Spec   *spec.Spec
	Maps   userns.Mappings
	// Paths are Remove's.
	Paths []string
	// Network is the network to start, with its ports and the directory
	// for its helpers' sockets.
	Network     network.Mode
	Ports       []network.PortMapping
	NetStateDir string
	// Cgroup places a new container (StepPlace); Join is the running
	// container's cgroup for Exec (StepAttach).
	Cgroup *cgroupsd.Pending
	Join   CgroupPath
	// Streams connect rl-init's stdio; Preserved become its fds 3 and up.
	Streams   Streams
	Preserved []*os.File
	// Crashpoint, when set, is called at the named points (the tests'
	// crash hook, store.Crashpoint).
	Crashpoint func(name string)
	// SharedDir (Container) is the directory of the caller's shared user
	// namespace's holder (holder.go), which a container of the caller's
	// default mapping joins; empty, or where the holder cannot be had,
	// the container gets a user namespace of its own.
	SharedDir string
	// Record (Holder) notes the holder's pid, once its maps are written
	// and before it detaches.
	Record func(pid int) error
	// Booted, when set, is this launch's first steps, carried out
	// already (Boot); a launch of another variant aborts it and starts
	// afresh.
	Booted *Booted
	// Attach (a container on user-defined networks, network.Bridge) puts
	// the network namespace of rl-init, pid, on its networks, once made:
	// it returns the container's address on the first one, to which the
	// published ports go, and what takes it off them again.
	Attach func(pid int) (address string, detach func(), err error)
}

// CgroupPath names a running container's cgroup.
type CgroupPath struct{ Manager, Path string }

// Launched is rl-init once the command runs, with what the launch made
// for it; Close releases those once rl-init has exited.
type Launched struct {
	*Process
	Network  *network.Network
	Cgroup   *cgroupsd.Cgroup
	Warnings []string // limits asked for that nothing enforces
	Terminal *Terminal
	detach   func() // Options.Attach's
}

// Close stops the network's helpers and releases the cgroup, once rl-init
// is gone from it: a cgroup (cgroupfs's) is removed only once its last
// process is, and the parent of a forked init is still tearing the
// container's namespaces down when it has said the exit code.
func (l *Launched) Close() {
	l.Network.Stop()
	if l.detach != nil {
		l.detach()
		l.detach = nil
	}
	if l.Cgroup != nil && l.Process != nil && l.reaped {
		l.awaitGone()
	}
	l.Cgroup.Release()
}

// Run carries out the plan of o.Variant and returns once the command
// runs. On a failure, everything it made is undone.
func Run(o Options) (*Launched, error) { return host.run(o) }

// world is what the runner's steps do to the machine; tests replace it.
type world struct {
	clone   func(flags uintptr, stdio [3]*os.File, preserved []*os.File) (*Process, error)
	maps    func(pid int, m userns.Mappings) error
	network func(pid int, privileged bool, mode network.Mode, ports []network.PortMapping, dir string) (*network.Network, error)
	place   func(p *cgroupsd.Pending, pid int) (*cgroupsd.Cgroup, []string, error)
	attach  func(manager, path string, pid int) error
}

var host = world{
	clone:   clone,
	maps:    userns.WriteOuter,
	network: network.Start,
	place:   (*cgroupsd.Pending).Apply,
	attach:  cgroupsd.Attach,
}

func (w world) run(o Options) (*Launched, error) {
	b := o.Booted.wait()
	if b != nil && b.asked != o.Variant {
		// Booted for another launch than this turned out to be.
		b.Abort()
		b = nil
	}
	if b == nil {
		var err error
		if b, err = w.boot(o); err != nil {
			return nil, err
		}
	}
	o.Variant, o.Target = b.variant, b.target
	for _, step := range b.plan.Steps[b.next:] {
		if err := w.step(step, b.plan, o, b.l); err != nil {
			b.l.abort()
			return nil, err
		}
	}
	return b.l, nil
}

// Booted is a launch carried out as far as it goes without the container
// (Boot): rl-init started, in its namespaces (those of the caller's shared
// user namespace's holder, for one that joins it), its Go runtime
// starting, waiting for the spec.
type Booted struct {
	asked, variant Variant // as Options said, and as the holder made it
	target         int
	plan           Plan
	next           int // the first of plan.Steps not carried out
	l              *Launched
	// ready is closed once Boot's steps are done, failed by their error;
	// nil for a boot done before it was returned (world.boot).
	ready  chan struct{}
	failed error
}

// Boot starts a launch's first steps, those that need nothing of the
// container, and returns while they run, so that they overlap with its
// creation; Run (with Options.Booted) waits for them and carries out the
// rest, or starts afresh where they failed. Abort it where the container
// is not to start.
func Boot(o Options) *Booted {
	b := &Booted{asked: o.Variant, ready: make(chan struct{})}
	go func() {
		defer close(b.ready)
		b.failed = host.bootSteps(o, b)
	}()
	return b
}

// Abort ends a booted rl-init, once its boot is done. It is nil-safe.
func (b *Booted) Abort() {
	if b = b.wait(); b != nil {
		b.l.abort()
	}
}

// wait waits until b's steps are done; it returns b, or nil where they
// failed (having undone what they made) or b is nil.
func (b *Booted) wait() *Booted {
	if b == nil {
		return nil
	}
	if b.ready != nil {
		<-b.ready
	}
	if b.failed != nil {
		slog.Debug("rl-init's boot failed: the launch starts afresh", "err", b.failed)
		return nil
	}
	return b
}

// boot decides the plan (joining the shared user namespace where the
// variant may) and carries out its steps up to the first that needs the
// container.
func (w world) boot(o Options) (*Booted, error) {
	b := &Booted{asked: o.Variant}
	if err := w.bootSteps(o, b); err != nil {
		return nil, err
	}
	return b, nil
}

// bootSteps is boot's work, into b.
func (w world) bootSteps(o Options, b *Booted) error {
	if o.SharedDir != "" && o.Variant.canShare() {
		pid, err := w.holder(o.SharedDir, o.Maps, o.crashpoint)
		if err == nil {
			o.Variant.Shared, o.Target = true, pid
		} else {
			slog.Debug("a user namespace of the container's own", "err", err)
		}
	}
	if o.Network.Name == network.Bridge && o.Variant.Kind == Container && !o.Variant.JoinNetwork && !o.Variant.Shared {
		// The rootless netns lives in the shared user namespace, and
		// netavark must own both ends of each veth pair.
		return errors.New("user-defined networks need the shared user namespace: rl supports them rootless, without --userns keep-id, and where the rl-userns holder can run (hint: use --network slirp4netns)")
	}
	b.variant, b.target, b.plan, b.l = o.Variant, o.Target, PlanFor(o.Variant), &Launched{}
	for _, step := range b.plan.Steps {
		if !bootStep(step, o.Variant) {
			break
		}
		if err := w.step(step, b.plan, o, b.l); err != nil {
			b.l.abort()
			return err
		}
		b.next++
	}
	return nil
}

// bootStep is true for the steps that need nothing of the container: not
// its spec, network, or cgroup (a placement is one of them only when
// there is no cgroup to make).
func bootStep(step Step, v Variant) bool {
	switch step {
	case StepClone, StepMaps, StepBegin, StepJoin, StepJoined:
		return true
	case StepPlace:
		return !v.Places
	}
	return false
}

// abort undoes what a failed launch made.
func (l *Launched) abort() {
	if l.Process != nil {
		l.Kill()
	}
	l.Terminal.Close()
	l.Close()
}

// step carries out one step.
func (w world) step(step Step, plan Plan, o Options, l *Launched) (err error) {
	switch step {
	case StepClone:
		l.Process, err = w.clone(plan.Flags, o.Streams.Stdio, o.Preserved)
		if o.Streams.Spawned != nil {
			o.Streams.Spawned()
		}
		o.crashpoint("spawned")
		return err
	case StepMaps:
		if err := w.maps(l.Pid, o.Maps); err != nil {
			return fmt.Errorf("writing uid/gid maps: %w", err)
		}
		return nil
	case StepRecord:
		return o.Record(l.Pid)
	case StepBegin:
		return l.send(handshake.Message{Kind: handshake.Begin, Variant: plan.Begin, Target: o.Target, Unshare: plan.Unshare})
	case StepNetwork:
		if o.Network.Name == network.Bridge {
			err := l.attach(o)
			if err != nil && slices.Contains(plan.Steps, StepNetworked) {
				// rl-init may have failed first (its network namespace
				// went with it).
				return cmp.Or(l.failure(o), err)
			}
			return err
		}
		l.Network, err = w.network(l.Pid, o.Maps.Privileged, o.Network, o.Ports, o.NetStateDir)
		if err != nil {
			return fmt.Errorf("starting the %s network: %w", o.Network.Name, err)
		}
		o.Spec.Interface = l.Network.Interface
		o.crashpoint("network")
		return nil
	case StepPlace:
		l.Cgroup, l.Warnings, err = w.place(o.Cgroup, l.Pid)
		// Said now, before the command runs and prints.
		for _, w := range l.Warnings {
			slog.Warn(w)
		}
		return err
	case StepAttach:
		if err := w.attach(o.Join.Manager, o.Join.Path, l.Pid); err != nil {
			return fmt.Errorf("joining the container's cgroup: %w", err)
		}
		return nil
	case StepStart:
		// rl-init waits for Placed before it makes its cgroup namespace
		// exactly when the plan sends one.
		o.Spec.AwaitCgroup = slices.Contains(plan.Steps, StepPlaced)
		// and for Networked before it executes the command.
		o.Spec.AwaitNetwork = slices.Contains(plan.Steps, StepNetworked)
		return l.send(handshake.Message{Kind: handshake.Start, Spec: o.Spec})
	case StepPlaced:
		return l.send(handshake.Message{Kind: handshake.Placed})
	case StepNetworked:
		if err := l.send(handshake.Message{Kind: handshake.Networked}); err != nil {
			return cmp.Or(l.failure(o), err)
		}
		return nil
	case StepJoin:
		return l.send(handshake.Message{Kind: handshake.Join})
	case StepJoined:
		return awaitJoined(l.Process)
	case StepRemove:
		return l.send(handshake.Message{Kind: handshake.Remove, Paths: o.Paths})
	case StepAwait:
		l.Terminal, err = awaitExec(l.Process, o.Streams.Attach)
		return err
	case StepAwaitEnd:
		return awaitEnd(l.Process)
	}
	return fmt.Errorf("unknown launch step %q", step)
}

// attach puts rl-init's network namespace on its user-defined networks
// and publishes the ports to its address on the first.
func (l *Launched) attach(o Options) error {
	addr, detach, err := o.Attach(l.Pid)
	if err != nil {
		return err
	}
	l.detach = detach
	o.crashpoint("network")
	if l.Network, err = network.Publish(l.Pid, o.Ports, addr, o.NetStateDir); err != nil {
		return fmt.Errorf("publishing ports: %w", err)
	}
	return nil
}

func (o Options) crashpoint(name string) {
	if o.Crashpoint != nil {
		o.Crashpoint(name)
	}
}

// failure is the failure that rl-init reported while it set the container
// up, the front end attaching it to its networks meanwhile; nil when it
// has said nothing.
func (l *Launched) failure(o Options) error {
	if !l.said() {
		return nil
	}
	_, err := awaitExec(l.Process, o.Streams.Attach)
	return err
}

// awaitExec reads rl-init's messages until its end of the socket closes
// on exec, attaching the terminal when one comes.
func awaitExec(p *Process, attach func(master *os.File) (*Terminal, error)) (*Terminal, error) {
	var term *Terminal
	execed := false
	for {
		m, fds, err := handshake.Recv(int(p.sock.Fd()))
		if errors.Is(err, io.EOF) && execed {
			return term, nil
		}
		if errors.Is(err, io.EOF) {
			err = errors.New("rl-init exited during setup without saying why (see its messages above)")
		} else if err == nil && m.Kind == handshake.Exec {
			execed = true
			continue
		}
		if err == nil && m.Kind == handshake.PTY && len(fds) == 1 {
			term, err = attach(os.NewFile(uintptr(fds[0]), "pty"))
		} else if err == nil && m.Kind == handshake.Failed && m.Error != nil {
			err = &ExitError{Code: m.Error.Code, Err: m.Error}
		} else if err == nil {
			err = fmt.Errorf("unexpected %q message from rl-init", m.Kind)
		}
		if err != nil {
			p.Kill() // closes the pty's slave side, so the relay drains
			term.Close()
			return nil, err
		}
	}
}

// awaitJoined reads rl-init's Joined, or the failure it reports instead.
func awaitJoined(p *Process) error {
	m, _, err := handshake.Recv(int(p.sock.Fd()))
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("rl-init exited while it joined the shared user namespace, without saying why (see its messages above)")
	case err != nil:
		return err
	case m.Kind == handshake.Failed && m.Error != nil:
		return &ExitError{Code: m.Error.Code, Err: m.Error}
	case m.Kind != handshake.Joined:
		return fmt.Errorf("unexpected %q message from rl-init", m.Kind)
	}
	return nil
}

// awaitEnd waits for rl-init to finish a removal: it sends nothing on
// success, exits 0 and the socket closes.
func awaitEnd(p *Process) error {
	m, _, recvErr := handshake.Recv(int(p.sock.Fd()))
	code := p.Wait()
	if recvErr == nil && m.Kind == handshake.Failed && m.Error != nil {
		return m.Error
	}
	if code != 0 {
		return fmt.Errorf("rl-init exited with code %d", code)
	}
	return nil
}

// RemoveAll removes dir from inside a user namespace with the caller's
// full mapping, where files that belong to subordinate ids are root's and
// removable, as `podman unshare rm` would.
func RemoveAll(dir string) error {
	maps, _, err := userns.ForCaller(userns.ModeDefault, nil)
	if err != nil {
		return err
	}
	_, err = Run(Options{
		Variant: Variant{Kind: Remove, Privileged: maps.Privileged},
		Maps:    maps,
		Paths:   []string{dir},
		Streams: Streams{Stdio: [3]*os.File{nil, nil, os.Stderr}},
	})
	if err != nil {
		return fmt.Errorf("removing %s in the user namespace: %w", dir, err)
	}
	return nil
}

package monitor

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/fsoverlay"
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/userns"
)

// Start runs the container c made from its record r with maps, and
// supervises it until it exits, with its stdio connected as st says; it
// returns the command's exit code (128+N when a signal N killed it) and
// leaves the exit in c's state for the caller to save.
func Start(c *store.Container, r *config.Record, maps userns.Mappings, st launch.Streams, preserved []*os.File) (int, error) {
	return start(c, r, maps, st, preserved, nil)
}

// start is Start with the launch's start that Preboot made, or nil, which
// it aborts when it fails before the launch.
func start(c *store.Container, r *config.Record, maps userns.Mappings, st launch.Streams, preserved []*os.File, booted *launch.Booted) (int, error) {
	// booted is nil once the launch has it.
	defer func() { booted.Abort() }()
	s := *r.Spec // the /etc mounts are added per start
	opts := r.Options
	ports, err := opts.Net.Published(r.Image.Config)
	if err != nil {
		return 125, err
	}
	var owner *store.Container
	if opts.Net.Mode.Name == network.Container {
		if owner, err = networkOwner(c.Store, opts.Net.Mode.Container); err != nil {
			return 125, err
		}
	}
	onNetworks := opts.Net.Mode.Name == network.Bridge
	ownEtc := len(opts.Net.AddHosts) > 0 || len(opts.Net.DNS) > 0 || len(opts.Net.DNSSearch) > 0 || len(opts.Net.DNSOptions) > 0
	if opts.Pod != "" && !s.Infra && (onNetworks || !ownEtc) {
		// A pod's containers share its infra container's /etc/hosts and
		// resolv.conf, which name its address (after the pod's host
		// name) and its DNS, as podman's do; on the pod's own stack, one
		// with --add-host or --dns options of its own keeps files of its
		// own (podman refuses those).
		if owner, err = podInfraContainer(c.Store, opts.Pod); err != nil {
			return 125, err
		}
	}
	etc, err := etcMounts(c, opts.Net, s.Hostname, owner, opts.Mounts)
	if err != nil {
		return 125, err
	}
	s.Mounts = append(etc, s.Mounts...)
	if hosts := sharedHosts(etc, owner); hosts != "" {
		hostname := s.Hostname
		if opts.Pod != "" {
			hostname = "" // the pod's, on the infra container's line
		}
		remove, err := addHostsLine(hosts, network.HostsLine("", hostname, c.State.Name))
		if err != nil {
			return 125, err
		}
		defer remove()
	}
	if opts.Rootfs != "" && len(s.Rootfs.Lower) == 1 {
		// A tree that root made: its directories are foreign to the
		// container's root, who could create nothing in them.
		if err := fsoverlay.PrepareUpper(s.Rootfs.Lower[0], s.Rootfs.Upper, s.CreatedPaths(), maps.HostMapped); err != nil {
			return 125, err
		}
	}
	if opts.Userns == userns.ModeKeepID {
		home, err := addKeepIDUser(c, &s, opts.Mounts)
		if err != nil {
			return 125, err
		}
		keepIDHome(&s, opts, home)
	}
	sigs, stop := launch.Relay()
	defer stop()
	// The cgroup's manager is picked, and the bus dialled, while rl-init
	// starts.
	co := opts.Cgroups
	co.ID = c.State.ID
	pending := cgroupsd.Prepare(opts.Resources, co)
	defer pending.Close()
	o := launch.Options{
		Variant: launch.Variant{
			Kind: launch.Container, Privileged: maps.Privileged, KeepID: s.Nested != nil,
			Infra: s.Infra, HostNetwork: s.Network == network.Host, Places: pending.Places(),
			Networks: onNetworks,
		},
		Spec: &s, Maps: maps,
		Network: opts.Net.Mode, Ports: ports, NetStateDir: c.NetStateDir(),
		Cgroup: pending, Streams: st, Preserved: preserved,
		Crashpoint: store.Crashpoint,
	}
	if dir, err := store.SharedUserNSDir(); err == nil {
		o.SharedDir = dir
	}
	if opts.Net.Mode.Name == network.Container {
		o.Variant.JoinNetwork, o.Target = true, owner.State.Pid
	}
	if onNetworks && (opts.Pod == "" || s.Infra) {
		if o.Attach, err = bridgeAttach(c, opts, s.Hostname); err != nil {
			return 125, err
		}
	}
	if opts.Pod != "" {
		// In a pod, the infra container has the network.
		o.Variant.Kind = launch.PodMember
		if o.Target, err = podInfra(c.Store, opts.Pod); err != nil {
			return 125, err
		}
	}
	o.Booted, booted = booted, nil
	l, err := launch.Run(o)
	if err != nil {
		return 125, err
	}
	defer l.Close()
	recordCgroup(c, l)
	if l.Network != nil {
		c.State.Ports = l.Network.Ports
	}
	c.State.Status, c.State.Pid, c.State.Started = store.StatusRunning, l.Pid, time.Now()
	c.State.Monitor, c.State.Error, c.State.StopRequested = store.ProcessOf(os.Getpid()), "", false
	if err := c.Save(); err != nil {
		l.Kill()
		return 125, err
	}
	store.Crashpoint("started")
	st.Started()
	go launch.Forward(sigs, l.Pid, l.Terminal)
	timedOut := killAfter(l.Pid, opts.Lifecycle.Timeout)
	code := l.Wait()
	l.Terminal.Close()
	c.State.Status, c.State.ExitCode, c.State.Finished = store.StatusExited, code, time.Now()
	if timedOut() {
		code, c.State.ExitCode = timedOutCode, -1
	}
	return code, nil
}

// recordCgroup notes in c's state the cgroup that enforces its limits,
// and the limits that nothing enforces.
func recordCgroup(c *store.Container, l *launch.Launched) {
	if l.Cgroup == nil && len(l.Warnings) == 0 {
		return
	}
	c.State.Cgroup = &store.CgroupState{Unenforced: l.Warnings}
	if cg := l.Cgroup; cg != nil {
		c.State.Cgroup.Manager, c.State.Cgroup.Path, c.State.Cgroup.Enforced = cg.Manager, cg.Path, cg.Enforced
	}
}

// podInfraContainer returns the pod's infra container, started.
func podInfraContainer(s store.Store, podID string) (*store.Container, error) {
	if _, err := podInfra(s, podID); err != nil {
		return nil, err
	}
	p, err := s.LoadPod(podID)
	if err != nil {
		return nil, err
	}
	return s.Load(p.InfraID)
}

// podInfra returns the host pid of the pod's infra process, starting the
// pod's infra container when it does not run.
func podInfra(s store.Store, podID string) (int, error) {
	p, err := s.LoadPod(podID)
	if err != nil {
		return 0, err
	}
	infra, err := s.Load(p.InfraID)
	if err == nil && !infra.State.Active() {
		if err = StartDetached(infra); err == nil {
			err = infra.ReadState()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("starting pod %s: %w", p.Name, err)
	}
	return infra.State.Pid, nil
}

// networkOwner returns the container whose network a container of
// --network container:ID joins: ID, or the one whose network ID joins
// itself, which holds the files that they share. It must run.
func networkOwner(s store.Store, id string) (*store.Container, error) {
	for {
		c, err := s.Load(id)
		if err != nil {
			return nil, fmt.Errorf("looking up the container whose network to join: %w", err)
		}
		if c.State.Status != store.StatusRunning {
			name := cmp.Or(c.State.Name, c.State.ID[:12])
			return nil, fmt.Errorf("cannot join the network of container %s: it is not running: start it first (rl start %s)", name, name)
		}
		r, err := c.Record()
		if err != nil {
			return nil, err
		}
		if r.Options.Net.Mode.Name != network.Container {
			return c, nil
		}
		id = r.Options.Net.Mode.Container
	}
}

// sharedHosts is the owner's /etc/hosts among the container's mounts,
// where it shares that file; "" otherwise (no owner, or -v /etc/hosts).
func sharedHosts(etc []spec.Mount, owner *store.Container) string {
	if owner == nil {
		return ""
	}
	for _, m := range etc {
		if m.Destination == "/etc/hosts" && filepath.Dir(m.Source) == owner.RunDir() {
			return m.Source
		}
	}
	return ""
}

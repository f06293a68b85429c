package rootless

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// ExitError is a failure to run the container's command, with the exit
// code docker uses: 125 when rl fails, 126 when the command cannot be
// executed, 127 when it is not found.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode is the exit code for a failure: an ExitError's code, else 125
// (rl itself failed).
func ExitCode(err error) int {
	var exit *ExitError
	if errors.As(err, &exit) {
		return exit.Code
	}
	return 125
}

// forwarded are the signals that rl passes on to the container.
var forwarded = []os.Signal{
	unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT,
	unix.SIGUSR1, unix.SIGUSR2, unix.SIGWINCH,
}

// Run runs a container to completion in the foreground and returns its
// command's exit code (128+N when a signal N killed it). Everything that
// can be checked is checked before anything is created; a failure after
// that removes what was made.
func Run(opts RunOptions, store Store) (int, error) {
	preserved, err := preservedFiles(opts.PreserveFDs)
	if err != nil {
		return 0, err
	}
	c, l, maps, err := create(opts, store)
	if err != nil {
		return 0, err
	}
	// rl is the container's monitor.
	unlock, err := c.lockMonitor(false)
	if err != nil {
		return 0, err
	}
	defer unlock()
	code, err := c.start(l, maps, foreground(opts), preserved)
	if err != nil || opts.Remove {
		if opts.Remove {
			c.recordExit()
		}
		if rmErr := store.removeLocked(c); rmErr != nil {
			slog.Warn(rmErr.Error())
		}
		return code, err
	}
	return code, c.saveState()
}

// applyCgroup puts rl-init (and so the container) in a cgroup that
// enforces the limits, before it starts the command, and records it.
func (c *container) applyCgroup(pid int, pending *cgroupsd.Pending) (*cgroupsd.Cgroup, error) {
	cg, warnings, err := pending.Apply(pid)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		slog.Warn(w)
	}
	if cg != nil || len(warnings) > 0 {
		c.state.Cgroup = &CgroupState{Unenforced: warnings}
	}
	if cg != nil {
		c.state.Cgroup.Manager, c.state.Cgroup.Path, c.state.Cgroup.Enforced = cg.Manager, cg.Path, cg.Enforced
	}
	return cg, nil
}

// prepareAndRun writes the container's /etc files and runs it.
func (c *container) prepareAndRun(s *spec.Spec, img *spec.Image, maps userns.Mappings, opts RunOptions, st streams, preserved []*os.File) (int, error) {
	ports, err := opts.Net.ports(img.Config)
	if err != nil {
		return 125, err
	}
	etc, err := c.etcMounts(opts.Net, s.Hostname, opts.Mounts)
	if err != nil {
		return 125, err
	}
	s.Mounts = append(etc, s.Mounts...)
	return c.run(s, maps, opts, ports, st, preserved)
}

// rootfs returns the layers (top-most first) and image configuration of
// the container's root: the --rootfs directory alone with an empty
// configuration, or the image's, pulled as --pull says.
func (o RunOptions) rootfs(store Store) (*spec.Image, error) {
	if o.Rootfs == "" {
		return resolveImage(store, o.Image, o.Pull, o.Registry)
	}
	dir, err := checkRootfs(o.Rootfs)
	if err != nil {
		return nil, err
	}
	return &spec.Image{Layers: []string{dir}}, nil
}

func checkRootfs(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("root filesystem: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("root filesystem %s is not a directory", abs)
	}
	return abs, nil
}

// preservedFiles returns fds 3..3+n-1 of rl, which must be open.
func preservedFiles(n int) ([]*os.File, error) {
	if n < 0 {
		return nil, fmt.Errorf("invalid --preserve-fds %d: must be 0 or more", n)
	}
	files := make([]*os.File, n)
	for i := range files {
		fd := 3 + i
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return nil, fmt.Errorf("--preserve-fds %d: fd %d is not open", n, fd)
		}
		files[i] = os.NewFile(uintptr(fd), fmt.Sprintf("fd%d", fd))
	}
	return files, nil
}

// mappedGroups keeps the supplementary groups the namespace can hold. They
// come from the image's /etc/group, not from the user, so the others are
// dropped rather than failing the run (Alpine puts root in bin, daemon,
// sys..., which a one-id map lacks). With a one-id map setgroups(2) is
// denied, so none is kept.
func mappedGroups(gids []uint32, l userns.Level, single bool) []uint32 {
	return slices.DeleteFunc(slices.Clone(gids), func(g uint32) bool {
		if !single && userns.Contains(l.GIDs, g) {
			return false
		}
		slog.Debug("dropping a supplementary group that is not mapped", "gid", g)
		return true
	})
}

// checkMapped fails when an id of u is outside the container's maps.
func checkMapped(u spec.User, l userns.Level) error {
	if !userns.Contains(l.UIDs, u.UID) {
		return fmt.Errorf("uid %d is outside the container's uids (%s)", u.UID, userns.Describe(l.UIDs))
	}
	for _, g := range append([]uint32{u.GID}, u.AdditionalGIDs...) {
		if !userns.Contains(l.GIDs, g) {
			return fmt.Errorf("gid %d is outside the container's gids (%s)", g, userns.Describe(l.GIDs))
		}
	}
	return nil
}

// spec builds the container spec that rl-init carries out.
func (c *container) spec(opts RunOptions, img *spec.Image, args []string, user spec.User, home string, maps userns.Mappings) *spec.Spec {
	hostname := opts.Hostname
	if hostname == "" {
		hostname = c.state.ID[:12]
	}
	env := []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOSTNAME=" + hostname, "HOME=" + home, "container=rl",
	}
	if opts.TTY {
		env = append(env, "TERM=xterm")
	}
	env = mergeEnv(env, img.Config.Env)
	cwd := opts.Workdir
	if cwd == "" {
		cwd = img.Config.WorkingDir
	}
	if cwd == "" {
		cwd = "/"
	}
	fuse, fuseOnly := c.store.fuseOverlay(maps.Privileged)
	mounts := append([]spec.Mount(nil), opts.Mounts...)
	if opts.ReadOnly && opts.ReadOnlyTmpfs {
		for _, d := range []string{"/tmp", "/var/tmp", "/run"} {
			// A mount the user asked for at d wins, as in podman.
			if !slices.ContainsFunc(opts.Mounts, func(m spec.Mount) bool { return m.Destination == d }) {
				mounts = append(mounts, spec.Mount{Kind: spec.Tmpfs, Destination: d, Flags: unix.MS_NOSUID | unix.MS_NODEV})
			}
		}
	}
	ttyGroup := -1
	if userns.Contains(maps.Container().GIDs, 5) {
		ttyGroup = 5
	}
	return &spec.Spec{
		ID:       c.state.ID,
		Hostname: hostname,
		Args:     args,
		Env:      mergeEnv(env, opts.Env),
		Cwd:      cwd,
		User:     user,
		Terminal: opts.TTY,
		Init:     opts.Init,
		Network:  networkOf(opts),
		Rootfs: spec.Rootfs{
			Lower: img.Layers, Upper: c.upper(), Work: c.work(), Mountpoint: c.mountpoint(),
			UserXattr: !maps.Privileged, FuseOverlay: fuse, FuseOnly: fuseOnly,
		},
		Mounts:      mounts,
		ReadOnly:    opts.ReadOnly,
		PreserveFDs: opts.PreserveFDs,
		Nested:      maps.Inner,
		NoSetgroups: maps.Single,
		TTYGroup:    ttyGroup,
	}
}

// run starts the container and supervises it until it exits.
func (c *container) run(s *spec.Spec, maps userns.Mappings, opts RunOptions, ports []network.PortMapping, st streams, preserved []*os.File) (int, error) {
	// Real root needs no user namespace: container root is real root, as
	// with rootful runtimes, and overlayfs keeps its metadata in trusted.*
	// xattrs, as containers/storage writes them for root.
	flags := uintptr(unix.CLONE_NEWUSER)
	if maps.Privileged {
		flags = 0
	}
	if maps.Inner == nil {
		// With keep-id, rl-init creates these itself inside the nested
		// user namespace, which must own them.
		// The cgroup namespace is rl-init's to make, once it is in its
		// cgroup (see child.start).
		flags |= unix.CLONE_NEWPID | unix.CLONE_NEWIPC | unix.CLONE_NEWUTS
	}
	// The network and mount namespaces are always in the first clone: the
	// network helpers join both at rl-init's pid (nsenter -n -m), which
	// they can only do for namespaces of a user namespace they own.
	flags |= unix.CLONE_NEWNS
	if s.Network != "host" {
		flags |= unix.CLONE_NEWNET
	}
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs, forwarded...)
	defer func() {
		signal.Stop(sigs)
		close(sigs) // ends forward
	}()

	// The cgroup's manager is picked, and the bus dialled, while rl-init
	// starts.
	o := opts.Cgroups
	o.ID = c.state.ID
	pending := cgroupsd.Prepare(opts.Resources, o)
	defer pending.Close()
	p, mode, err := c.spawn(flags, maps, opts, st, preserved)
	st.spawned()
	if err != nil {
		return 125, err
	}
	crashpoint("spawned")
	// The network's helpers need rl-init's namespaces with their maps,
	// before rl-init pivots.
	net, err := network.Start(p.cmd.Process.Pid, maps.Privileged, mode, ports, c.netStateDir())
	defer net.Stop()
	if err != nil {
		p.kill()
		return 125, fmt.Errorf("starting the %s network: %w", mode.Name, err)
	}
	crashpoint("network")
	s.Interface, c.state.Ports = net.Interface, net.Ports
	// With a cgroup to make, rl-init builds the root filesystem while
	// systemd makes the scope: it waits for Placed before it makes its
	// cgroup namespace. With keep-id the outer rl-init, and in a pod the
	// constructor, make the container's namespaces at once, and a pod's
	// infra process reads no more messages: they get their Start once
	// placed.
	s.AwaitCgroup = pending.Places() && s.Nested == nil && opts.Pod == "" && !s.Infra
	var early, late []handshake.Message
	if s.AwaitCgroup {
		early, late = []handshake.Message{{Kind: handshake.Start, Spec: s}}, []handshake.Message{{Kind: handshake.Placed}}
	} else {
		late = []handshake.Message{{Kind: handshake.Start, Spec: s}}
		if s.Nested != nil {
			late = append(late, late[0]) // one for the outer rl-init, one for the nested one
		}
		if opts.Pod != "" {
			// In its cgroup now, rl-init may join the pod.
			late = append([]handshake.Message{{Kind: handshake.Join}}, late...)
		}
	}
	if err := p.sendAll(early); err != nil {
		return 125, err
	}
	cg, err := c.applyCgroup(p.cmd.Process.Pid, pending)
	defer cg.Release()
	if err != nil {
		p.kill()
		return 125, err
	}
	if err := p.sendAll(late); err != nil {
		return 125, err
	}
	term, err := awaitStart(p, st.attach)
	if err != nil {
		return 125, err
	}
	c.state.Status, c.state.Pid, c.state.Started = StatusRunning, p.cmd.Process.Pid, time.Now()
	c.state.Monitor, c.state.Error, c.state.StopRequested = processOf(os.Getpid()), "", false
	if err := c.saveState(); err != nil {
		p.kill()
		return 125, err
	}
	crashpoint("started")
	st.started()
	go forward(sigs, p.cmd.Process.Pid, term)
	code := p.wait()
	term.close()
	c.state.Status, c.state.ExitCode, c.state.Finished = StatusExited, code, time.Now()
	return code, nil
}

// networkOf is the spec's network: the --network mode, or the pod's.
func networkOf(opts RunOptions) string {
	if opts.Pod != "" && opts.Net.Mode.Name != network.Host {
		return spec.PodNetwork
	}
	return opts.Net.Mode.Name
}

// spawn starts rl-init: in new namespaces (flags), or, for a container of
// a pod, through rl-init's constructor into the pod's (see
// cmd/rl-init), and returns the network mode to start for it (none in a
// pod: the infra container has it).
func (c *container) spawn(flags uintptr, maps userns.Mappings, opts RunOptions, st streams, preserved []*os.File) (*initProcess, network.Mode, error) {
	if opts.Pod == "" {
		p, err := spawnInit(flags, maps, st.stdio, preserved)
		return p, opts.Net.Mode, err
	}
	infra, err := c.store.podInfra(opts.Pod)
	if err != nil {
		return nil, network.Mode{}, err
	}
	env := []string{handshake.EnvPod + "=" + strconv.Itoa(infra), handshake.EnvStage + "=" + handshake.StageMapped}
	p, err := startInit(0, env, st.stdio, preserved)
	return p, network.Mode{Name: network.None}, err
}

// awaitStart reads rl-init's messages until its end of the socket closes
// on exec, attaching the terminal when one comes.
func awaitStart(p *initProcess, attach func(master *os.File) (*terminal, error)) (*terminal, error) {
	var term *terminal
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
		} else if err == nil && m.Kind == handshake.Failed {
			err = &ExitError{Code: m.Error.Code, Err: m.Error}
		} else if err == nil {
			err = fmt.Errorf("unexpected %q message from rl-init", m.Kind)
		}
		if err != nil {
			p.kill() // closes the pty's slave side, so the relay drains
			term.close()
			return nil, err
		}
	}
}

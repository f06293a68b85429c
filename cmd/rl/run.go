package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/userns"
)

// runFlags are `rl run`'s flags as typed; toOptions checks and converts
// them.
type runFlags struct {
	rootfs        string
	entrypoint    string
	name          string
	hostname      string
	env           []string
	envFiles      []string
	workdir       string
	user          string
	volumes       []string
	tmpfs         []string
	readOnly      bool
	readOnlyTmpfs bool
	rm            bool
	interactive   bool
	tty           bool
	init          bool
	userns        string
	network       string
	publish       []string
	publishAll    bool
	dns           []string
	dnsSearch     []string
	addHosts      []string
	resources     cgroupsd.Flags
	cgroupManager string
	cgroupParent  string
	limits        string
	preserveFDs   int
	pull          string
	tlsVerify     bool
	quiet         bool
	detach        bool
	restart       string
	pod           string
	healthCmd     string
	healthEvery   time.Duration
	healthRetries int
}

func newRunCommand(g *globalOptions, code *int) *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run [flags] IMAGE [COMMAND [ARG...]] | run [flags] --rootfs DIR COMMAND [ARG...]",
		Short: "Run a command in a new container",
		Long: "Run a command in a new container whose root is an image (pulled when missing) or\n" +
			"the directory DIR. Neither is ever changed: the container writes to its own\n" +
			"copy-on-write layer. With -d it runs in the background, under a monitor of its own,\n" +
			"and rl prints its id.",
		Example: "  rl run --rm --rootfs ./busybox-root sh -c 'id; hostname'\n" +
			"  rl run --rm --tls-verify=false 127.0.0.1:5000/busybox echo hi\n" +
			"  rl run -d --name web -p 8080:80 127.0.0.1:5000/busybox httpd -f",
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			opts, err := f.options(args, c)
			if err != nil {
				return err
			}
			if !f.detach {
				if opts.Restart.Name != "" && opts.Restart.Name != "no" {
					return errors.New("--restart needs a monitor to restart the container: add -d")
				}
				*code, err = e.Run(ctx, opts)
				return err
			}
			id, err := e.RunDetached(ctx, opts)
			if err == nil {
				fmt.Fprintln(c.OutOrStdout(), id)
			}
			return err
		}),
	}
	f.register(cmd)
	cmd.Flags().BoolVarP(&f.detach, "detach", "d", false, "run in the background and print the container id")
	return cmd
}

func newCreateCommand(g *globalOptions) *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "create [flags] IMAGE [COMMAND [ARG...]] | create [flags] --rootfs DIR COMMAND [ARG...]",
		Short: "Create a container to start later (rl start)",
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			opts, err := f.options(args, c)
			if err != nil {
				return err
			}
			id, err := e.Create(ctx, opts)
			if err == nil {
				fmt.Fprintln(c.OutOrStdout(), id)
			}
			return err
		}),
	}
	f.register(cmd)
	return cmd
}

// options turns the flags and arguments into the engine's options.
func (f *runFlags) options(args []string, c *cobra.Command) (config.Container, error) {
	return f.toOptions(args, c.Flags().Changed("entrypoint"))
}

// register adds the flags that run and create share.
func (f *runFlags) register(cmd *cobra.Command) {
	// Flags after the command belong to the command.
	cmd.Flags().SetInterspersed(false)
	fl := cmd.Flags()
	fl.StringVar(&f.rootfs, "rootfs", "", "directory to use as the container's root filesystem (read-only lower layer)")
	fl.StringVar(&f.entrypoint, "entrypoint", "", "program to run, with COMMAND as its arguments")
	fl.StringVar(&f.name, "name", "", "name for the container")
	fl.StringVar(&f.hostname, "hostname", "", "container host name (default: the short container id)")
	fl.StringArrayVarP(&f.env, "env", "e", nil, "set an environment variable (KEY=VALUE, or KEY to copy it from rl's environment)")
	fl.StringArrayVar(&f.envFiles, "env-file", nil, "read environment variables from a file of KEY=VALUE lines")
	fl.StringVarP(&f.workdir, "workdir", "w", "", "working directory inside the container (created if missing)")
	fl.StringVarP(&f.user, "user", "u", "", "user to run as: NAME|UID[:GROUP|GID]")
	fl.StringArrayVarP(&f.volumes, "volume", "v", nil, "bind-mount a host path: HOST-PATH:CONTAINER-PATH[:ro]")
	fl.StringArrayVar(&f.tmpfs, "tmpfs", nil, "mount a tmpfs: CONTAINER-PATH[:OPTIONS]")
	fl.BoolVar(&f.readOnly, "read-only", false, "mount the container's root filesystem read-only")
	fl.BoolVar(&f.readOnlyTmpfs, "read-only-tmpfs", true, "with --read-only, mount tmpfs on /tmp, /var/tmp and /run")
	fl.BoolVar(&f.rm, "rm", false, "remove the container when it exits")
	fl.BoolVarP(&f.interactive, "interactive", "i", false, "keep stdin open and pass it to the container")
	fl.BoolVarP(&f.tty, "tty", "t", false, "allocate a pseudo-terminal for the container")
	fl.BoolVar(&f.init, "init", false, "run a tiny init as PID 1 that forwards signals and reaps zombies")
	fl.StringVar(&f.userns, "userns", "", "user namespace mode: keep-id maps your uid and gid to themselves (default: you are root)")
	fl.StringVar(&f.network, "network", network.Slirp4netns, "network mode: slirp4netns[:OPTIONS], pasta[:ARGS], none (loopback only) or host")
	fl.StringVar(&f.network, "net", network.Slirp4netns, "alias of --network")
	fl.StringArrayVarP(&f.publish, "publish", "p", nil, "publish a container port on the host: [[IP:][HOSTPORT]:]CTRPORT[/PROTO]")
	fl.BoolVarP(&f.publishAll, "publish-all", "P", false, "publish the image's exposed ports on free host ports")
	fl.StringArrayVar(&f.dns, "dns", nil, "nameserver for the container's resolv.conf")
	fl.StringArrayVar(&f.dnsSearch, "dns-search", nil, "search domain for the container's resolv.conf")
	fl.StringArrayVar(&f.addHosts, "add-host", nil, "add NAME:IP to the container's /etc/hosts")
	r := &f.resources
	fl.StringVarP(&r.Memory, "memory", "m", "", "memory limit (e.g. 512m, 1g): memory.max")
	fl.StringVar(&r.MemoryReservation, "memory-reservation", "", "memory soft limit: memory.low")
	fl.StringVar(&r.MemorySwap, "memory-swap", "", "memory plus swap limit (-1: unlimited swap)")
	fl.StringVar(&r.CPUs, "cpus", "", "number of CPUs (e.g. 0.5): cpu.max")
	fl.Int64Var(&r.CPUQuota, "cpu-quota", 0, "CPU time per period, in µs (cgroup v1 cfs_quota_us)")
	fl.Uint64Var(&r.CPUPeriod, "cpu-period", 0, "CPU period, in µs (cgroup v1 cfs_period_us)")
	fl.Uint64VarP(&r.CPUShares, "cpu-shares", "c", 0, "relative CPU weight (cgroup v1 shares, 2-262144): cpu.weight")
	fl.StringVar(&r.CPUSetCPUs, "cpuset-cpus", "", "CPUs the container may use (e.g. 0-2,4)")
	fl.StringVar(&r.CPUSetMems, "cpuset-mems", "", "memory nodes the container may use")
	fl.Int64Var(&r.PidsLimit, "pids-limit", 0, "maximum number of processes (-1: unlimited): pids.max")
	fl.Uint64Var(&r.BlkioWeight, "blkio-weight", 0, "relative block IO weight (10-1000): io.weight")
	fl.StringArrayVar(&r.BlkioWeightDevice, "blkio-weight-device", nil, "block IO weight of a device: PATH:WEIGHT")
	fl.StringArrayVar(&r.DeviceReadBPS, "device-read-bps", nil, "read rate limit of a device: PATH:RATE (e.g. /dev/sda:1mb)")
	fl.StringArrayVar(&r.DeviceWriteBPS, "device-write-bps", nil, "write rate limit of a device: PATH:RATE")
	fl.StringArrayVar(&r.DeviceReadIOPS, "device-read-iops", nil, "read IO/s limit of a device: PATH:N")
	fl.StringArrayVar(&r.DeviceWriteIOPS, "device-write-iops", nil, "write IO/s limit of a device: PATH:N")
	fl.StringVar(&f.cgroupManager, "cgroup-manager", "", "systemd, cgroupfs or none (default: systemd when the user bus answers, else cgroupfs in a delegated cgroup)")
	fl.StringVar(&f.cgroupParent, "cgroup-parent", "", "slice (systemd) or cgroup path (cgroupfs) to put the container under")
	fl.StringVar(&f.limits, "limits", "strict", "strict: refuse limits that cannot be enforced; best-effort: run without them, with a warning")
	fl.IntVar(&f.preserveFDs, "preserve-fds", 0, "pass this many extra file descriptors (from 3 up) to the container")
	_ = fl.MarkHidden("net")
	fl.StringVar(&f.pull, "pull", image.PullMissing, "pull the image: missing (when not in the store), always, or never")
	fl.StringVar(&f.healthCmd, "health-cmd", "", "command (run with /bin/sh -c in the container) whose success means healthy")
	fl.DurationVar(&f.healthEvery, "health-interval", 30*time.Second, "time between health checks")
	fl.IntVar(&f.healthRetries, "health-retries", 3, "failures in a row that make the container unhealthy")
	fl.StringVar(&f.pod, "pod", "", "run in this pod: its network, host name and IPC space")
	fl.StringVar(&f.restart, "restart", "no", "restart policy: no, on-failure[:N], always or unless-stopped")
	addRegistryFlags(fl, &f.tlsVerify, &f.quiet)
}

// toOptions checks the flags and builds the engine's options.
func (f *runFlags) toOptions(args []string, entrypointSet bool) (config.Container, error) {
	opts := config.Container{
		Rootfs: f.rootfs, Command: args, Name: f.name, Hostname: f.hostname,
		Pull: f.pull, Registry: image.Options{TLSVerify: f.tlsVerify, Quiet: f.quiet},
		Workdir: f.workdir, User: f.user, ReadOnly: f.readOnly, ReadOnlyTmpfs: f.readOnlyTmpfs,
		Remove: f.rm, Interactive: f.interactive, TTY: f.tty, Init: f.init,
		PreserveFDs: f.preserveFDs, Pod: f.pod,
	}
	if f.rootfs == "" && len(args) > 0 {
		opts.Image, opts.Command = args[0], args[1:]
	}
	opts.EntrypointSet = entrypointSet
	if entrypointSet && f.entrypoint != "" {
		opts.Entrypoint = []string{f.entrypoint}
	}
	var err error
	if opts.Userns, err = userns.ParseMode(f.userns); err != nil {
		return opts, err
	}
	if opts.Net, err = f.netOptions(); err != nil {
		return opts, err
	}
	if opts.Health, err = config.ParseHealthCheck(f.healthCmd, f.healthEvery, f.healthRetries); err != nil {
		return opts, err
	}
	if opts.Restart, err = config.ParseRestart(f.restart); err != nil {
		return opts, err
	}
	if opts.Restart.Name != "" && opts.Restart.Name != "no" && f.rm {
		return opts, fmt.Errorf("--restart %s and --rm contradict each other: the container would be removed, not restarted; drop one", f.restart)
	}
	if opts.Resources, err = f.resources.Resources(); err != nil {
		return opts, err
	}
	if opts.Cgroups.Manager, err = cgroupsd.ParseManager(f.cgroupManager); err != nil {
		return opts, err
	}
	if f.limits != "" && f.limits != "strict" && f.limits != "best-effort" {
		return opts, fmt.Errorf("invalid --limits %q: use strict or best-effort", f.limits)
	}
	opts.Cgroups.Parent, opts.Cgroups.BestEffort = f.cgroupParent, f.limits == "best-effort"
	if opts.Env, err = config.ParseEnv(f.env, f.envFiles, os.LookupEnv); err != nil {
		return opts, err
	}
	volumes, err := parseAll(f.volumes, config.ParseVolume)
	if err != nil {
		return opts, err
	}
	tmpfs, err := parseAll(f.tmpfs, config.ParseTmpfs)
	if err != nil {
		return opts, err
	}
	opts.Mounts = append(volumes, tmpfs...)
	return opts, nil
}

// netOptions parses the network flags.
func (f *runFlags) netOptions() (config.Net, error) {
	o := config.Net{PublishAll: f.publishAll, DNSSearch: f.dnsSearch}
	var err error
	if o.Mode, err = network.ParseMode(f.network); err != nil {
		return o, err
	}
	ports, err := parseAll(f.publish, network.ParsePublish)
	if err != nil {
		return o, err
	}
	o.Ports = slices.Concat(ports...)
	if o.DNS, err = parseAll(f.dns, network.ParseDNS); err != nil {
		return o, err
	}
	o.AddHosts, err = parseAll(f.addHosts, network.ParseAddHost)
	return o, err
}

// parseAll parses each value with parse, stopping at the first error.
func parseAll[T any](values []string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, v := range values {
		x, err := parse(v)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

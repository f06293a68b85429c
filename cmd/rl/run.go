package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/image"
)

func newRunCommand(g *globalOptions, code *int) *cobra.Command {
	f := &opts.Run{}
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
			o, err := containerOptions(f, c, args)
			if err != nil {
				return err
			}
			if !f.Detach {
				*code, err = e.Run(ctx, o)
				return err
			}
			id, err := e.RunDetached(ctx, o)
			if err == nil {
				fmt.Fprintln(c.OutOrStdout(), id)
			}
			return err
		}),
	}
	registerRun(cmd, f)
	cmd.Flags().BoolVarP(&f.Detach, "detach", "d", false, "run in the background and print the container id")
	return cmd
}

func newCreateCommand(g *globalOptions) *cobra.Command {
	// A created container is started by a monitor, as with rl run -d.
	f := &opts.Run{Detach: true}
	cmd := &cobra.Command{
		Use:   "create [flags] IMAGE [COMMAND [ARG...]] | create [flags] --rootfs DIR COMMAND [ARG...]",
		Short: "Create a container to start later (rl start)",
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			o, err := containerOptions(f, c, args)
			if err != nil {
				return err
			}
			id, err := e.Create(ctx, o)
			if err == nil {
				fmt.Fprintln(c.OutOrStdout(), id)
			}
			return err
		}),
	}
	registerRun(cmd, f)
	return cmd
}

// containerOptions parses the flags and arguments of rl run or rl create
// into the engine's options.
func containerOptions(f *opts.Run, c *cobra.Command, args []string) (config.Container, error) {
	f.EntrypointSet = c.Flags().Changed("entrypoint")
	f.OOMScoreAdjSet = c.Flags().Changed("oom-score-adj")
	if c.Flags().Changed("kernel-memory") {
		slog.Warn("The --kernel-memory flag is no longer supported. This flag is a noop.")
	}
	return withContainersConf(f, c.Flags(), args)
}

// registerRun binds the flags that run and create share to f.
func registerRun(cmd *cobra.Command, f *opts.Run) {
	// Flags after the command belong to the command.
	cmd.Flags().SetInterspersed(false)
	fl := cmd.Flags()
	fl.StringVar(&f.Rootfs, "rootfs", "", "directory to use as the container's root filesystem (read-only lower layer)")
	fl.StringVar(&f.Entrypoint, "entrypoint", "", "program to run, with COMMAND as its arguments")
	fl.StringVar(&f.Name, "name", "", "name for the container")
	fl.StringVar(&f.Hostname, "hostname", "", "container host name (default: the short container id)")
	fl.StringArrayVarP(&f.Env, "env", "e", nil, "set an environment variable (KEY=VALUE, or KEY to copy it from rl's environment)")
	fl.StringArrayVar(&f.EnvFiles, "env-file", nil, "read environment variables from a file of KEY=VALUE lines")
	fl.StringVarP(&f.Workdir, "workdir", "w", "", "working directory inside the container (must exist, or be made by a mount)")
	fl.StringVarP(&f.User, "user", "u", "", "user to run as: NAME|UID[:GROUP|GID]")
	fl.StringArrayVarP(&f.Volumes, "volume", "v", nil, "bind-mount a host path or mount a volume: HOST-PATH|VOLUME:CONTAINER-PATH[:ro,U,nocopy,...], or CONTAINER-PATH (an anonymous volume)")
	fl.StringArrayVar(&f.Mount, "mount", nil, "mount: type=volume|bind|tmpfs,source=...,target=...[,readonly]")
	fl.StringArrayVar(&f.VolumesFrom, "volumes-from", nil, "mount the volumes and binds of a container: CONTAINER[:ro|rw]")
	fl.StringArrayVar(&f.Tmpfs, "tmpfs", nil, "mount a tmpfs: CONTAINER-PATH[:OPTIONS]")
	fl.BoolVar(&f.ReadOnly, "read-only", false, "mount the container's root filesystem read-only")
	fl.BoolVar(&f.ReadOnlyTmpfs, "read-only-tmpfs", true, "with --read-only, mount tmpfs on /tmp, /var/tmp and /run")
	fl.BoolVar(&f.HTTPProxy, "http-proxy", true, "pass rl's http_proxy, https_proxy, ftp_proxy and no_proxy (either case) into the container, under the image's and -e's")
	fl.BoolVar(&f.Remove, "rm", false, "remove the container when it exits")
	fl.BoolVarP(&f.Interactive, "interactive", "i", false, "keep stdin open and pass it to the container")
	fl.BoolVarP(&f.TTY, "tty", "t", false, "allocate a pseudo-terminal for the container")
	fl.BoolVar(&f.Init, "init", false, "run a tiny init as PID 1 that forwards signals and reaps zombies")
	fl.StringVar(&f.Userns, "userns", "", "user namespace mode: keep-id maps your uid and gid to themselves, nomap leaves them out (default: you are root)")
	fl.StringSliceVar(&f.UIDMaps, "uidmap", nil, "map container uids to yours: CONTAINER:HOST:SIZE, HOST counted from 0 (you) and 1 (your first subordinate id); repeatable")
	fl.StringSliceVar(&f.GIDMaps, "gidmap", nil, "map container gids, as --uidmap (default: --uidmap's maps)")
	n := &f.Network
	fl.StringArrayVar(&n.Modes, "network", nil, "network mode: slirp4netns[:OPTIONS] (the default), pasta[:ARGS], none (loopback only), host, container:NAME (join that running container's network) or NETWORK[:alias=A,ip=IP,mac=MAC,interface_name=IF] (a user-defined network; repeatable)")
	fl.StringArrayVar(&n.Modes, "net", nil, "alias of --network")
	fl.StringArrayVar(&n.Aliases, "network-alias", nil, "another name of the container on its user-defined networks")
	fl.StringVar(&n.IP, "ip", "", "the container's IPv4 address on its user-defined network")
	fl.StringVar(&n.MAC, "mac-address", "", "the container's MAC address on its user-defined network")
	_ = fl.MarkHidden("net")
	fl.StringArrayVarP(&n.Publish, "publish", "p", nil, "publish a container port on the host: [[IP:][HOSTPORT]:]CTRPORT[/PROTO]")
	fl.BoolVarP(&n.PublishAll, "publish-all", "P", false, "publish the image's exposed ports on free host ports")
	fl.StringArrayVar(&n.DNS, "dns", nil, "nameserver for the container's resolv.conf")
	fl.StringArrayVar(&n.DNSSearch, "dns-search", nil, "search domain for the container's resolv.conf")
	fl.StringArrayVar(&n.AddHosts, "add-host", nil, "add NAME:IP to the container's /etc/hosts")
	r := &f.Resources
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
	fl.StringVar(&f.CgroupManager, "cgroup-manager", "", "systemd, cgroupfs or none (default: systemd when the user bus answers, else cgroupfs in a delegated cgroup)")
	fl.StringVar(&f.CgroupParent, "cgroup-parent", "", "slice (systemd) or cgroup path (cgroupfs) to put the container under")
	fl.StringVar(&f.Limits, "limits", "strict", "strict: refuse limits that cannot be enforced; best-effort: run without them, with a warning")
	fl.IntVar(&f.PreserveFDs, "preserve-fds", 0, "pass this many extra file descriptors (from 3 up) to the container")
	fl.StringVar(&f.Pull, "pull", image.PullMissing, "pull the image: missing (when not in the store), always, or never")
	fl.StringVar(&f.HealthCmd, "health-cmd", "", "command (run with /bin/sh -c in the container) whose success means healthy")
	fl.DurationVar(&f.HealthInterval, "health-interval", 30*time.Second, "time between health checks")
	fl.IntVar(&f.HealthRetries, "health-retries", 3, "failures in a row that make the container unhealthy")
	fl.StringVar(&f.Pod, "pod", "", "run in this pod: its network, host name and IPC space")
	fl.StringVar(&f.Restart, "restart", "no", "restart policy: no, on-failure[:N], always or unless-stopped")
	sec := &f.Security
	fl.BoolVar(&sec.Privileged, "privileged", false, "every capability of the user namespace, no seccomp filter, no masked paths, the host's devices")
	fl.StringArrayVar(&sec.CapAdd, "cap-add", nil, "add a capability (e.g. NET_ADMIN, or ALL)")
	fl.StringArrayVar(&sec.CapDrop, "cap-drop", nil, "drop a capability (e.g. CHOWN, or ALL)")
	fl.StringArrayVar(&sec.SecurityOpt, "security-opt", nil, "no-new-privileges, seccomp=unconfined|PROFILE.json, mask=PATHS, unmask=PATHS|ALL")
	addRegistryFlags(fl, &f.TLSVerify, &f.Quiet)
	registerProcess(fl, f)
	registerLifecycle(cmd, f)
}

// registerProcess binds the flags of the container's process and its
// metadata (labels) to f.
func registerProcess(fl *pflag.FlagSet, f *opts.Run) {
	fl.StringArrayVarP(&f.Labels, "label", "l", nil, "set a label on the container: KEY=VALUE (KEY alone: an empty value)")
	fl.StringArrayVar(&f.LabelFiles, "label-file", nil, "read labels from a file of KEY=VALUE lines")
	fl.StringArrayVar(&f.Ulimits, "ulimit", nil, "resource limit: NAME=SOFT[:HARD] (e.g. nofile=1024:2048, core=-1 for unlimited), or host")
	fl.StringVar(&f.Umask, "umask", "0022", "the command's umask")
	fl.StringSliceVar(&f.GroupAdd, "group-add", nil, "add supplementary groups (names or gids, comma-separated), or keep-groups to keep yours")
	fl.IntVar(&f.OOMScoreAdj, "oom-score-adj", 0, "the command's oom_score_adj (-1000 to 1000; raised to rl's own when lower)")
	fl.StringVar(&f.Timezone, "tz", "", "time zone: local (the host's), or a zone name such as Europe/Berlin")
	fl.StringVar(&f.CgroupNS, "cgroupns", "", "cgroup namespace: private (the default) or host")
	fl.StringArrayVar(&f.DeviceCgroupRules, "device-cgroup-rule", nil, "refused: device cgroup rules need root")
	fl.String("kernel-memory", "", "no longer supported; ignored with a warning")
	// Both names add to one list (a StringArray per name would let the
	// second name's first value replace the first's).
	fl.Var(appendValue{&f.DNSOptions}, "dns-opt", "resolver option for the container's resolv.conf (e.g. ndots:2)")
	fl.Var(appendValue{&f.DNSOptions}, "dns-option", "alias of --dns-opt")
	_ = fl.MarkHidden("dns-option")
}

// appendValue is a repeatable flag that appends each value to a list
// that several flag names may share.
type appendValue struct{ list *[]string }

func (a appendValue) Set(v string) error { *a.list = append(*a.list, v); return nil }
func (a appendValue) String() string     { return strings.Join(*a.list, ",") }
func (a appendValue) Type() string       { return "stringArray" }

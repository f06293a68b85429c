package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/kube"
	"github.com/rl-containers/rl/rootless/network"
)

// kubeFlags are rl kube play's and rl kube down's flags.
type kubeFlags struct {
	replace, down, start, quiet, dryRun, memoryQoS, tlsVerify bool
	network, limits, cgroupManager                            string
	publish                                                   []string
}

// newKubeCommand is rl kube (play, down, generate); rl play kube and rl
// generate kube are podman's older spellings.
func newKubeCommand(g *globalOptions) []*cobra.Command {
	kubeCmd := &cobra.Command{Use: "kube", Short: "Play Kubernetes YAML as pods, take them down, or generate YAML from pods and containers"}
	kubeCmd.AddCommand(newKubePlayCommand(g, "play"), newKubeDownCommand(g), newKubeGenerateCommand(g, "generate"))
	play := &cobra.Command{Use: "play", Short: "Play Kubernetes YAML (podman's older spelling: rl play kube)"}
	play.AddCommand(newKubePlayCommand(g, "kube"))
	generate := &cobra.Command{Use: "generate", Short: "Generate Kubernetes YAML (podman's older spelling: rl generate kube)"}
	generate.AddCommand(newKubeGenerateCommand(g, "kube"))
	return []*cobra.Command{kubeCmd, play, generate}
}

func newKubePlayCommand(g *globalOptions, use string) *cobra.Command {
	var f kubeFlags
	cmd := &cobra.Command{
		Use:   use + " [flags] FILE|-",
		Short: "Create pods and containers from Kubernetes YAML, with requests and limits as the kubelet applies them",
		Long: "Create a pod for each Pod, Deployment, ReplicaSet, DaemonSet or Job of the file (- reads stdin),\n" +
			"its init containers run to completion in order, then its containers. requests and limits become\n" +
			"cgroup v2 values as the kubelet computes them; --dry-run prints them, with the pod's QoS class.",
		Example: "  rl kube play --dry-run pod.yaml\n  rl kube play --replace pod.yaml\n  rl kube down pod.yaml",
		Args:    cobra.ExactArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			plans, limits, err := f.plan(ctx, args[0])
			if err != nil {
				return err
			}
			out := c.OutOrStdout()
			if f.dryRun {
				return printExplain(out, plans, limits)
			}
			if f.down {
				return printDown(out, e, ctx, plans, false)
			}
			for _, p := range plans {
				for _, w := range p.Warnings {
					slog.Warn(w)
				}
			}
			played, err := e.PlayKube(ctx, plans, rootless.KubePlayOptions{Replace: f.replace, Start: f.start})
			printPlayed(out, played)
			return err
		}),
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.replace, "replace", false, "remove pods of the same names first")
	fl.BoolVar(&f.down, "down", false, "remove the file's pods instead (rl kube down)")
	fl.BoolVar(&f.start, "start", true, "start the pods' containers (false: create them only)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print no pull progress")
	fl.BoolVar(&f.dryRun, "dry-run", false, "make nothing: print each request and limit, the cgroup file and value it becomes, and the QoS class")
	fl.BoolVar(&f.memoryQoS, "memory-qos", false, "write memory.min and memory.high from requests.memory, as the kubelet's MemoryQoS feature")
	fl.StringVar(&f.network, "network", network.Slirp4netns, "the pods' network: slirp4netns[:OPTIONS], pasta[:ARGS], none or host")
	fl.StringArrayVar(&f.publish, "publish", nil, "publish a port of every pod on the host, besides its hostPorts: [[IP:][HOSTPORT]:]CTRPORT[/PROTO]")
	fl.StringVar(&f.limits, "limits", "strict", "strict: refuse limits that cannot be enforced; best-effort: run without them, with a warning")
	fl.StringVar(&f.cgroupManager, "cgroup-manager", "", "systemd, cgroupfs or none (default: as rl run)")
	fl.BoolVar(&f.tlsVerify, "tls-verify", true, "require HTTPS and verify certificates when pulling")
	return cmd
}

func newKubeDownCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "down [flags] FILE|-",
		Short: "Remove the pods that rl kube play made from FILE, with their containers",
		Args:  cobra.ExactArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			var f kubeFlags
			f.network = network.Slirp4netns
			plans, _, err := f.plan(ctx, args[0])
			if err != nil {
				return err
			}
			return printDown(c.OutOrStdout(), e, ctx, plans, force)
		}),
	}
	cmd.Flags().BoolVar(&force, "force", false, "remove the named volumes of the file's persistentVolumeClaims too")
	return cmd
}

// readKube reads FILE, or stdin for "-".
func readKube(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}

// plan decodes the file and plans its pods, starting each container from
// rl create's defaults and containers.conf.
func (f kubeFlags) plan(ctx context.Context, name string) ([]kube.PodPlan, kube.Limits, error) {
	var limits kube.Limits
	data, err := readKube(name)
	if err != nil {
		return nil, limits, fmt.Errorf("reading the Kubernetes YAML: %w", err)
	}
	run := &opts.Run{Detach: true}
	defaults := &cobra.Command{}
	registerRun(defaults, run)
	run.Network.Publish, run.Limits = f.publish, f.limits
	if f.network != "" {
		run.Network.Modes = []string{f.network}
	}
	run.TLSVerify, run.Quiet = f.tlsVerify, f.quiet
	if f.cgroupManager != "" {
		// Given, so that containers.conf's cgroup_manager does not win.
		_ = defaults.Flags().Set("cgroup-manager", f.cgroupManager)
	}
	base, err := withContainersConf(run, defaults.Flags(), []string{"IMAGE"}) // each container names its own
	if err != nil {
		return nil, limits, err
	}
	if base.Net.Mode.Name == network.Container {
		return nil, limits, fmt.Errorf("a pod cannot join another container's network (--network %s): use slirp4netns, pasta, none or host", base.Net.Mode)
	}
	limits = kube.Limits{MemoryQoS: f.memoryQoS, MachineMemory: machineMemory()}
	po := kube.PlayOptions{Base: base, Net: base.Net, Limits: limits, Cgroups: base.Cgroups.Manager != cgroupsd.None && cgroupsd.Default() != cgroupsd.None}
	po.Base.Net.Ports = nil
	plans, err := kube.Plan(ctx, data, po)
	if err != nil {
		return nil, limits, fmt.Errorf("%s: %w", name, err)
	}
	return plans, limits, nil
}

// machineMemory is the machine's memory in bytes.
func machineMemory() int64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}

// printExplain prints --dry-run's table of each pod.
func printExplain(w io.Writer, plans []kube.PodPlan, l kube.Limits) error {
	own, _ := rootless.OwnOOMScoreAdj()
	for i, p := range plans {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "Pod %s (document %d, %s %s): QoS class %s\n", p.Name, p.Doc, p.Kind, p.Workload, p.QoS)
		for _, warning := range p.Warnings {
			fmt.Fprintln(w, "warning: "+warning)
		}
		tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "CONTAINER\tRESOURCE\tAMOUNT\tCGROUP FILE\tVALUE\tNOTE")
		for _, r := range kube.Explain(p, l, own) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Container, r.Resource, r.Amount, r.File, r.Value, r.Note)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// printPlayed prints what podman's kube play prints: each pod's id and
// its containers' ids.
func printPlayed(w io.Writer, played []rootless.PlayedPod) {
	for _, p := range played {
		fmt.Fprintf(w, "Pod:\n%s\n", p.ID)
		switch len(p.Containers) {
		case 0:
			continue
		case 1:
			fmt.Fprintln(w, "Container:")
		default:
			fmt.Fprintln(w, "Containers:")
		}
		fmt.Fprint(w, joinLines(p.Containers))
	}
}

// printDown removes the plans' pods (and with volumes their claims'
// volumes) and prints podman's kube down report.
func printDown(w io.Writer, e *rootless.Engine, ctx context.Context, plans []kube.PodPlan, volumes bool) error {
	ids, removed, err := e.DownKube(ctx, plans, volumes)
	if len(ids) > 0 {
		fmt.Fprintf(w, "Pods stopped:\n%sPods removed:\n%s", joinLines(ids), joinLines(ids))
	}
	if len(removed) > 0 {
		fmt.Fprintf(w, "Volumes removed:\n%s", joinLines(removed))
	}
	return err
}

func newKubeGenerateCommand(g *globalOptions, use string) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   use + " [flags] CONTAINER|POD...",
		Short: "Print Kubernetes YAML of pods and containers, their limits as requests and limits",
		Long: "Print a Pod (or, with --type deployment, a Deployment) for each pod, and for each container\n" +
			"outside a pod; --cpus becomes limits.cpu, --memory limits.memory and --cpu-shares requests.cpu,\n" +
			"the inverse of rl kube play's mapping. kubectl apply -f takes the output to a cluster.",
		Args: cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if typ != "pod" && typ != "deployment" {
				return fmt.Errorf("invalid --type %q: use pod or deployment", typ)
			}
			gen, err := e.KubeGenerate(ctx, args)
			if err != nil {
				return err
			}
			gen.Deployment = typ == "deployment"
			y, err := kube.GenerateYAML(ctx, gen)
			if err == nil {
				fmt.Fprint(c.OutOrStdout(), y)
			}
			return err
		}),
	}
	cmd.Flags().StringVarP(&typ, "type", "t", "pod", "the kind to write: pod or deployment")
	return cmd
}

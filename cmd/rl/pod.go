package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/store"
)

func newPodCommand(g *globalOptions, code *int) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pod",
		Short: "Manage pods: containers that share one network, host name and IPC space",
	}
	cmd.AddCommand(newPodCreateCommand(g), newPodPsCommand(g), newPodInspectCommand(g), newPodRmCommand(g),
		existsCommand(g, code, "POD", "Exit 0 if the pod exists, 1 if not; print nothing",
			func(ctx context.Context, e *rootless.Engine, ref string) error {
				_, err := e.Store.LoadPod(ref)
				return err
			}))
	cmd.AddCommand(newPodKillCommand(g), newPodStatsCommand(g))
	var st stopTime
	for _, verb := range []struct {
		use, short string
		do         func(e *rootless.Engine, ctx context.Context, ref string) error
	}{
		{"start", "Start pods: the infra container, then the pod's containers", (*rootless.Engine).StartPod},
		{"stop", "Stop pods: the pod's containers, then the infra container", func(e *rootless.Engine, ctx context.Context, ref string) error {
			grace, err := st.grace()
			if err != nil {
				return err
			}
			return e.StopPod(ctx, ref, grace)
		}},
	} {
		var t targets
		verbCmd := &cobra.Command{
			Use:   verb.use + " [flags] POD...",
			Short: verb.short,
			RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
				if _, err := st.grace(); err != nil {
					return err
				}
				refs, err := t.refs(args, podIDs(e))
				if err != nil {
					return err
				}
				return eachContainer(c.OutOrStdout(), refs, t.ignore, func(ref string) error { return verb.do(e, ctx, ref) })
			}),
		}
		t.addFlags(verbCmd.Flags(), "every pod", false)
		if verb.use == "stop" {
			st.addFlag(verbCmd.Flags(), "seconds to wait for each container to exit before killing it (0: kill it at once; -1: never kill it)")
		}
		cmd.AddCommand(verbCmd)
	}
	return cmd
}

// podIDs returns the ids of every pod, for --all.
func podIDs(e *rootless.Engine) func() ([]string, error) {
	return func() ([]string, error) {
		pods, err := e.Store.Pods()
		var ids []string
		for _, p := range pods {
			ids = append(ids, p.ID)
		}
		return ids, err
	}
}

func newPodKillCommand(g *globalOptions) *cobra.Command {
	var sig string
	var t targets
	cmd := &cobra.Command{
		Use:   "kill [flags] POD...",
		Short: "Send a signal (default SIGKILL) to the running containers of pods",
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			s, err := parseKillSignal(sig)
			if err != nil {
				return err
			}
			refs, err := t.refs(args, podIDs(e))
			if err != nil {
				return err
			}
			return eachContainer(c.OutOrStdout(), refs, t.ignore, func(ref string) error { return e.KillPod(ctx, ref, s) })
		}),
	}
	cmd.Flags().StringVarP(&sig, "signal", "s", "KILL", "signal to send: a name (TERM, SIGHUP) or a number from 1 to 64")
	t.addFlags(cmd.Flags(), "every pod", false)
	return cmd
}

func newPodRmCommand(g *globalOptions) *cobra.Command {
	var force bool
	var st stopTime
	var t targets
	cmd := &cobra.Command{
		Use:   "rm [flags] POD...",
		Short: "Remove pods and their containers (running ones only with -f)",
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			grace, err := rmGrace(c, st)
			if err != nil {
				return err
			}
			refs, err := t.refs(args, podIDs(e))
			if err != nil {
				return err
			}
			// podman prints the ids of the pods removed, as the
			// action does: eachContainer prints nothing for errSkip.
			out := c.OutOrStdout()
			err = eachContainer(out, refs, t.ignore || force, func(ref string) error {
				p, err := e.Store.LoadPod(ref)
				if err == nil {
					err = e.RemovePod(ctx, p.ID, force, grace)
				}
				if err != nil {
					return err
				}
				fmt.Fprintln(out, p.ID)
				return errSkip
			})
			return exitCode(err, 1)
		}),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&force, "force", "f", false, "stop running containers first")
	st.addFlag(fl, "with -f, seconds to wait for each running container to exit after its stop signal (default: kill it at once; -1: never kill it)")
	t.addFlags(fl, "every pod", false)
	return cmd
}

func newPodCreateCommand(g *globalOptions) *cobra.Command {
	var name, hostname, infraName, manager, limits string
	var labels []string
	var n opts.Network
	var infra bool
	var exitPolicy string
	var res opts.Resources
	cmd := &cobra.Command{
		Use:   "create [flags] [NAME]",
		Short: "Create a pod and start its infra container; print its id",
		Args:  cobra.MaximumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if len(args) == 1 {
				if name != "" && name != args[0] {
					return fmt.Errorf("two names for the pod: --name %s and %s", name, args[0])
				}
				name = args[0] // podman's pod create NAME
			}
			if !infra {
				return errors.New("rl's pods always have an infra container, which holds the namespaces they share: drop --infra=false")
			}
			o := rootless.PodOptions{Name: name, Hostname: hostname, InfraName: infraName, ExitPolicy: exitPolicy}
			var err error
			if o.Labels, err = parseLabels(labels); err != nil {
				return err
			}
			if err := opts.CheckName(name); err != nil {
				return err
			}
			if infraName != "" && !config.ValidName(infraName) {
				return fmt.Errorf("invalid --infra-name %q: %s", infraName, config.NameRule)
			}
			if err := opts.CheckHostname(hostname); err != nil {
				return err
			}
			if o.Net, err = n.Net(); err != nil {
				return err
			}
			if o.Net.Mode.Name == network.Container {
				return fmt.Errorf("a pod cannot join another container's network (--network %s): use slirp4netns, pasta, none, host or a network", o.Net.Mode)
			}
			if o.Cgroup, err = podCgroupOptions(res, manager, limits); err != nil {
				return err
			}
			id, err := e.CreatePod(ctx, o)
			if err == nil {
				fmt.Fprintln(c.OutOrStdout(), id)
			}
			return err
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&name, "name", "", "name for the pod (default: its short id)")
	fl.StringVar(&infraName, "infra-name", "", "name for the pod's infra container (default: NAME-infra)")
	fl.StringVar(&hostname, "hostname", "", "host name of the pod's containers (default: the pod's name)")
	fl.StringArrayVar(&n.Modes, "network", nil, "the pod's network: slirp4netns[:OPTIONS] (the default), pasta[:ARGS], none, host or NETWORK[:alias=A,ip=IP] (a user-defined network; repeatable)")
	fl.StringArrayVarP(&n.Publish, "publish", "p", nil, "publish a port of the pod on the host: [[IP:][HOSTPORT]:]CTRPORT[/PROTO]")
	fl.StringArrayVar(&n.AddHosts, "add-host", nil, "add NAME:IP to the /etc/hosts that the pod's containers share")
	fl.StringArrayVar(&n.DNS, "dns", nil, "nameserver for the resolv.conf that the pod's containers share")
	fl.StringArrayVar(&n.DNSSearch, "dns-search", nil, "search domain for the resolv.conf that the pod's containers share")
	fl.StringArrayVarP(&labels, "label", "l", nil, "set a label on the pod: KEY=VALUE (repeatable)")
	fl.StringVar(&exitPolicy, "exit-policy", store.ExitPolicyContinue, "what the pod does when its last container exits: continue (keep running) or stop")
	fl.BoolVar(&infra, "infra", true, "give the pod an infra container (rl's pods always have one: it holds their namespaces)")
	fl.StringVar(&res.CPUs, "cpus", "", "CPUs for all of the pod's containers together (e.g. 1.5): the pod's cgroup's cpu.max")
	fl.StringVarP(&res.Memory, "memory", "m", "", "memory for all of the pod's containers together (e.g. 512m): the pod's cgroup's memory.max")
	fl.StringVar(&res.CPUSetCPUs, "cpuset-cpus", "", "CPUs the pod's containers may use (e.g. 0-2,4)")
	fl.StringVar(&manager, "cgroup-manager", "", "systemd, cgroupfs or none (default: as rl run)")
	fl.StringVar(&limits, "limits", "strict", "strict: refuse limits that cannot be enforced; best-effort: create the pod without them, with a warning")
	return cmd
}

// podCgroupOptions are pod create's limits: nil for none.
func podCgroupOptions(res opts.Resources, manager, limits string) (*rootless.PodCgroupOptions, error) {
	r, err := res.Parse()
	if err != nil || r.Empty() {
		return nil, err
	}
	o := &rootless.PodCgroupOptions{Resources: r}
	if o.Manager, err = opts.ParseCgroupManager(manager); err != nil {
		return nil, err
	}
	o.BestEffort, err = opts.ParseLimits(limits)
	return o, err
}

// parseLabels reads --label KEY=VALUE flags; a KEY without = is refused.
func parseLabels(flags []string) (map[string]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	labels := map[string]string{}
	for _, l := range flags {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("invalid --label %q: want KEY=VALUE", l)
		}
		labels[k] = v
	}
	return labels, nil
}

// podRow is a pod as a pod ps --format template sees it (podman's
// fields): Labels as k=v pairs, {{.Label "k"}} one of them.
type podRow struct {
	ID                 string
	Id                 string //nolint:revive // podman's name, beside ID, for templates
	Name               string
	Status             string
	Created            string
	InfraID            string
	NumberOfContainers int
	Labels             string
	labels             map[string]string
}

// Label is the value of the pod's label key, or "".
func (r podRow) Label(key string) string { return r.labels[key] }

var podHeaders = map[string]string{"ID": "POD ID", "Id": "POD ID", "InfraID": "INFRA ID", "NumberOfContainers": "# OF CONTAINERS"}

func newPodPsCommand(g *globalOptions) *cobra.Command {
	var format string
	var quiet, noTrunc, noHeading bool
	cmd := &cobra.Command{
		Use:     "ps [flags]",
		Aliases: []string{"ls", "list"},
		Short:   "List pods",
		Args:    cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			pods, err := e.Pods(ctx)
			if err != nil {
				return err
			}
			slices.Reverse(pods) // newest first
			w := c.OutOrStdout()
			rows := make([]podRow, len(pods))
			for i, p := range pods {
				id, infra := p.ID, p.InfraID
				if !noTrunc {
					id, infra = shortID(id), shortID(infra)
				}
				rows[i] = podRow{ID: id, Id: id, Name: p.Name, Status: p.Status, InfraID: infra, NumberOfContainers: len(p.Containers),
					Created: units.HumanDuration(time.Since(p.Created)) + " ago", Labels: labelList(p.Labels), labels: p.Labels}
			}
			switch {
			case quiet:
				for _, r := range rows {
					fmt.Fprintln(w, r.ID)
				}
				return nil
			case format == "json":
				return printJSONList(w, pods)
			case format == "":
				format = "table {{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}\t{{.NumberOfContainers}}"
			}
			return printRows(w, format, rows, podHeaders, noHeading)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "", "json, or a Go template over the columns (e.g. '{{.Name}} {{.Status}}'; 'table ...' adds a header row)")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print only the ids")
	fl.BoolVar(&noTrunc, "no-trunc", false, "do not shorten ids")
	fl.BoolVarP(&noHeading, "noheading", "n", false, "print no header row")
	return cmd
}

// podInspectView is a pod as a pod inspect --format template sees it:
// rl's record under podman's field names.
type podInspectView struct {
	rootless.PodStatus
	ID               string
	InfraContainerID string
	NumContainers    int
	State            string
	Containers       []podContainerView
	// SharedNamespaces are the namespaces the pod's containers share.
	SharedNamespaces []string
	InfraConfig      podInfraView
	// ExitPolicy: continue, or stop (the pod ends with its last
	// container).
	ExitPolicy string
}

// podInfraView is podInspectView's InfraConfig: how the infra container
// holds the pod's namespaces.
type podInfraView struct {
	// HostNetwork: the pod uses the host's network (--network host).
	HostNetwork bool
}

// podContainerView is one of a pod's containers in podInspectView.
type podContainerView struct {
	ID, Name, State string
}

func newPodInspectView(p rootless.PodStatus) podInspectView {
	v := podInspectView{PodStatus: p, ID: p.ID, InfraContainerID: p.InfraID, NumContainers: len(p.Containers),
		State: p.Status, SharedNamespaces: []string{"ipc", "net", "uts"}, InfraConfig: podInfraView{HostNetwork: p.Network == network.Host},
		ExitPolicy: cmp.Or(p.ExitPolicy, store.ExitPolicyContinue)}
	for _, st := range p.Containers {
		v.Containers = append(v.Containers, podContainerView{ID: st.ID, Name: st.Name, State: st.Status})
	}
	return v
}

func newPodInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect [flags] POD...",
		Short: "Show a pod and its containers, as JSON",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			var out []rootless.PodInspection
			for _, ref := range args {
				p, err := e.InspectPodRecord(ctx, ref)
				if err != nil {
					return err
				}
				out = append(out, p)
			}
			if format != "" && format != "json" {
				views := make([]podInspectView, len(out))
				for i, p := range out {
					views[i] = newPodInspectView(p.PodStatus)
				}
				return printRows(c.OutOrStdout(), format, views, nil, true)
			}
			enc := json.NewEncoder(c.OutOrStdout())
			enc.SetIndent("", "    ")
			return enc.Encode(out)
		}),
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "a Go template over each pod (podman's fields: {{.Name}}, {{.ID}}, {{.InfraContainerID}}, {{.NumContainers}}, {{.Labels}}, {{.State}})")
	return cmd
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/network"
)

func newPodCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pod",
		Short: "Manage pods: containers that share one network, host name and IPC space",
	}
	cmd.AddCommand(newPodCreateCommand(g), newPodPsCommand(g), newPodInspectCommand(g))
	for _, verb := range []struct {
		use, short string
		do         func(e *rootless.Engine, ctx context.Context, ref string) error
	}{
		{"start", "Start pods: the infra container, then the pod's containers", (*rootless.Engine).StartPod},
		{"stop", "Stop pods: the pod's containers, then the infra container", func(e *rootless.Engine, ctx context.Context, ref string) error {
			return e.StopPod(ctx, ref, 10*time.Second)
		}},
	} {
		cmd.AddCommand(&cobra.Command{
			Use:   verb.use + " POD...",
			Short: verb.short,
			Args:  cobra.MinimumNArgs(1),
			RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
				return eachContainer(c.OutOrStdout(), args, func(ref string) error { return verb.do(e, ctx, ref) })
			}),
		})
	}
	var force bool
	rm := &cobra.Command{
		Use:   "rm [flags] POD...",
		Short: "Remove pods and their containers (running ones only with -f)",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			return eachContainer(c.OutOrStdout(), args, func(ref string) error { return e.RemovePod(ctx, ref, force) })
		}),
	}
	rm.Flags().BoolVarP(&force, "force", "f", false, "stop running containers first")
	cmd.AddCommand(rm)
	return cmd
}

func newPodCreateCommand(g *globalOptions) *cobra.Command {
	var name, hostname string
	var n opts.Network
	cmd := &cobra.Command{
		Use:   "create [flags]",
		Short: "Create a pod and start its infra container; print its id",
		Args:  cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			o := rootless.PodOptions{Name: name, Hostname: hostname}
			if err := opts.CheckName(name); err != nil {
				return err
			}
			if err := opts.CheckHostname(hostname); err != nil {
				return err
			}
			var err error
			if o.Net, err = n.Net(); err != nil {
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
	fl.StringVar(&hostname, "hostname", "", "host name of the pod's containers (default: the pod's short id)")
	fl.StringVar(&n.Mode, "network", network.Slirp4netns, "the pod's network: slirp4netns[:OPTIONS], pasta[:ARGS], none or host")
	fl.StringArrayVarP(&n.Publish, "publish", "p", nil, "publish a port of the pod on the host: [[IP:][HOSTPORT]:]CTRPORT[/PROTO]")
	return cmd
}

func newPodPsCommand(g *globalOptions) *cobra.Command {
	var format string
	var quiet bool
	cmd := &cobra.Command{
		Use:     "ps [flags]",
		Aliases: []string{"ls", "list"},
		Short:   "List pods",
		Args:    cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			if err := checkJSONFormat(format); err != nil {
				return err
			}
			pods, err := e.Pods(ctx)
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			switch {
			case quiet:
				for _, p := range pods {
					fmt.Fprintln(w, p.ID[:12])
				}
				return nil
			case format == "json":
				if pods == nil {
					pods = []rootless.PodStatus{}
				}
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(pods)
			}
			tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
			fmt.Fprintln(tw, "POD ID\tNAME\tSTATUS\tCREATED\tINFRA ID\t# OF CONTAINERS")
			for i := len(pods) - 1; i >= 0; i-- {
				p := pods[i]
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s ago\t%.12s\t%d\n", p.ID[:12], p.Name, p.Status,
					units.HumanDuration(time.Since(p.Created)), p.InfraID, len(p.Containers))
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().StringVar(&format, "format", "", "json: one JSON array")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the ids")
	return cmd
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
			return printInspection(c, format, out)
		}),
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "json, or a Go template over each record (e.g. '{{.State}}')")
	return cmd
}

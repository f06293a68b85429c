package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/netconfig"
)

// newNetworkCommand is the `rl network` group of user-defined networks
// (docs/networking.md); code receives `exists`'s exit code.
func newNetworkCommand(g *globalOptions, code *int) *cobra.Command {
	cmd := &cobra.Command{Use: "network", Short: "Manage user-defined networks"}
	cmd.AddCommand(newNetworkCreateCommand(g), newNetworkLsCommand(g), newNetworkInspectCommand(g),
		newNetworkRmCommand(g), newNetworkPruneCommand(g), newNetworkExistsCommand(g, code),
		newNetworkConnectCommand(g), newNetworkDisconnectCommand(g))
	return cmd
}

func newNetworkCreateCommand(g *globalOptions) *cobra.Command {
	var o netconfig.Options
	var labels, driverOpts []string
	var driver string
	var ignore bool
	cmd := &cobra.Command{
		Use:   "create [flags] [NAME]",
		Short: "Create a network (a bridge in the rootless network namespace); print its name",
		Args:  cobra.MaximumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if len(args) == 1 {
				if err := netconfig.CheckName(args[0]); err != nil {
					return err
				}
				o.Name = args[0]
			}
			if driver != "bridge" {
				return fmt.Errorf("unsupported driver %s: rl has the bridge driver only (hint: drop --driver)", driver)
			}
			var err error
			if o.Labels, err = opts.ParseVolumeLabels(labels); err != nil {
				return err
			}
			if o.DriverOptions, err = netconfig.ParseDriverOptions(driverOpts); err != nil {
				return err
			}
			n, err := e.NetworkCreate(ctx, o)
			if ignore && errors.Is(err, netconfig.ErrExists) {
				n, err = e.Networks().Load(o.Name)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), n.Name)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&driver, "driver", "d", "bridge", "network driver (bridge only)")
	fl.StringVar(&o.Subnet, "subnet", "", "the network's IPv4 subnet, CIDR (default: a free /24 of 10.89.0.0/16)")
	fl.StringVar(&o.Gateway, "gateway", "", "the subnet's gateway (default: its first address)")
	fl.BoolVar(&o.Internal, "internal", false, "no way out of the network: its containers reach each other only")
	fl.BoolVar(&o.DisableDNS, "disable-dns", false, "no aardvark-dns: containers do not resolve each other's names")
	fl.StringArrayVar(&o.DNSServers, "dns", nil, "a server that aardvark-dns asks on this network for the names it does not know (default: the rootless netns's, slirp4netns's forwarder)")
	fl.StringArrayVarP(&labels, "label", "l", nil, "set a label: KEY=VALUE (repeatable)")
	fl.StringArrayVarP(&driverOpts, "opt", "o", nil, "a driver option: mtu=N")
	fl.BoolVar(&ignore, "ignore", false, "do nothing (and succeed) when the network exists")
	return cmd
}

// networkRow is one line of rl network ls: podman's fields, the id
// short.
type networkRow struct {
	*netconfig.Network
	ID string
}

func newNetworkLsCommand(g *globalOptions) *cobra.Command {
	var format string
	var filters []string
	var quiet, noHeading bool
	cmd := &cobra.Command{
		Use:     "ls [flags]",
		Aliases: []string{"list"},
		Short:   "List networks",
		Args:    cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			if quiet && format != "" {
				return errors.New("--quiet and --format cannot be used together")
			}
			f, err := netconfig.ParseFilter(filters)
			if err != nil {
				return err
			}
			nets, err := e.NetworkList(ctx, f)
			if err != nil {
				return err
			}
			return printNetworks(c.OutOrStdout(), nets, format, quiet, noHeading)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "", "json, or a Go template over each network (e.g. '{{.Name}} {{.Driver}}')")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "show only networks that match: name=REGEXP, id=PREFIX, driver=, label=KEY[=VALUE], dangling=true|false")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print the names only")
	fl.BoolVarP(&noHeading, "noheading", "n", false, "print no header line")
	return cmd
}

func printNetworks(w io.Writer, nets []*netconfig.Network, format string, quiet, noHeading bool) error {
	switch {
	case format == "json":
		return printJSON(w, nets, "     ")
	case quiet:
		format = "{{.Name}}"
	}
	rows := make([]networkRow, len(nets))
	for i, n := range nets {
		rows[i] = networkRow{Network: n, ID: n.ID[:12]}
	}
	if format != "" {
		return printTemplate(w, strings.TrimPrefix(format, "table "), rows)
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	if !noHeading {
		fmt.Fprintln(tw, "NETWORK ID\tNAME\tDRIVER")
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Name, r.Driver)
	}
	return tw.Flush()
}

func newNetworkInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect [flags] NETWORK...",
		Short: "Show networks' configurations, as JSON",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			out := []*netconfig.Network{}
			for _, ref := range args {
				n, err := e.Networks().Load(ref)
				if err != nil {
					return err
				}
				out = append(out, n)
			}
			if format != "" && format != "json" {
				return printTemplate(c.OutOrStdout(), format, out)
			}
			return printJSON(c.OutOrStdout(), out, "     ")
		}),
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "a Go template over each network (e.g. '{{.NetworkInterface}}')")
	return cmd
}

func newNetworkRmCommand(g *globalOptions) *cobra.Command {
	var force bool
	var timeout int
	cmd := &cobra.Command{
		Use:     "rm [flags] NETWORK...",
		Aliases: []string{"remove"},
		Short:   "Remove networks (in use ones only with -f, which removes their containers)",
		Args:    cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			var errs []error
			for _, ref := range args {
				name, err := e.NetworkRemove(ctx, ref, force)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintln(c.OutOrStdout(), name)
			}
			return errors.Join(errs...)
		}),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&force, "force", "f", false, "remove the containers that use the network first")
	fl.IntVarP(&timeout, "time", "t", 10, "seconds to wait for those containers to stop (rl kills them at once)")
	return cmd
}

func newNetworkPruneCommand(g *globalOptions) *cobra.Command {
	var force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [flags]",
		Short: "Remove every network but the default one that no container uses",
		Args:  cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			f, err := netconfig.ParseFilter(filters)
			if err != nil {
				return err
			}
			if !force && !confirm(c.InOrStdin(), c.OutOrStdout(), "WARNING! This will remove all networks not used by at least one container.") {
				return nil
			}
			names, err := e.NetworkPrune(ctx, f)
			fmt.Fprint(c.OutOrStdout(), joinLines(names))
			return err
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "prune only the networks that match (as network ls --filter)")
	return cmd
}

func newNetworkExistsCommand(g *globalOptions, code *int) *cobra.Command {
	return &cobra.Command{
		Use:   "exists NETWORK",
		Short: "Exit 0 when the network exists, 1 when it does not",
		Args:  cobra.ExactArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, _ *cobra.Command, args []string) error {
			_, err := e.Networks().Load(args[0])
			if errors.Is(err, netconfig.ErrNotFound) {
				*code = 1
				return nil
			}
			return err
		}),
	}
}

func newNetworkConnectCommand(g *globalOptions) *cobra.Command {
	var aliases []string
	var ip, mac string
	cmd := &cobra.Command{
		Use:   "connect [flags] NETWORK CONTAINER",
		Short: "Put a container on one more network (a running one at once)",
		Args:  cobra.ExactArgs(2),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			m, err := opts.ParseNetwork(args[0])
			if err != nil {
				return err
			}
			if err := opts.AttachOptions(&m, aliases, ip, mac); err != nil {
				return err
			}
			return e.NetworkConnect(ctx, args[0], args[1], m.Networks[0])
		}),
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&aliases, "alias", nil, "another name of the container on the network")
	fl.StringVar(&ip, "ip", "", "the container's IPv4 address on the network")
	fl.StringVar(&mac, "mac-address", "", "the container's MAC address on the network")
	return cmd
}

func newNetworkDisconnectCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "disconnect [flags] NETWORK CONTAINER",
		Short: "Take a container off a network (a running one at once)",
		Args:  cobra.ExactArgs(2),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			return e.NetworkDisconnect(ctx, args[0], args[1])
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "accepted for podman compatibility")
	return cmd
}

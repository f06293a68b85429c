package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/volume"
)

// newVolumeCommand is the `rl volume` group; code receives `exists`'s
// exit code.
func newVolumeCommand(g *globalOptions, code *int) *cobra.Command {
	cmd := &cobra.Command{Use: "volume", Short: "Manage named volumes"}
	cmd.AddCommand(newVolumeCreateCommand(g), newVolumeLsCommand(g), newVolumeInspectCommand(g),
		newVolumeRmCommand(g), newVolumePruneCommand(g), newVolumeExistsCommand(g, code))
	return cmd
}

func newVolumeCreateCommand(g *globalOptions) *cobra.Command {
	var labels, options []string
	var ignore bool
	var driver string
	cmd := &cobra.Command{
		Use:   "create [flags] [NAME]",
		Short: "Create a volume (a generated name without NAME)",
		Args:  cobra.MaximumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			o := volume.Options{}
			if len(args) == 1 {
				if err := volume.CheckName(args[0]); err != nil {
					return err
				}
				o.Name = args[0]
			}
			if driver != "local" {
				return fmt.Errorf("invalid --driver %q: rl has the local driver only", driver)
			}
			var err error
			if o.Labels, err = opts.ParseVolumeLabels(labels); err != nil {
				return err
			}
			if o.Options, err = volume.ParseOptions(options); err != nil {
				return err
			}
			v, err := e.VolumeCreate(ctx, o, ignore)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), v.Name)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&driver, "driver", "d", "local", "volume driver (local only)")
	fl.StringArrayVarP(&labels, "label", "l", nil, "set a label: KEY=VALUE")
	fl.StringArrayVarP(&options, "opt", "o", nil, "driver option: copy or nocopy")
	fl.BoolVar(&ignore, "ignore", false, "do nothing (and succeed) when the volume exists")
	return cmd
}

func newVolumeLsCommand(g *globalOptions) *cobra.Command {
	var filters []string
	var format string
	var quiet, noHeading bool
	cmd := &cobra.Command{
		Use:     "ls [flags]",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Args:    cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			if quiet && format != "" {
				return errors.New("--quiet and --format cannot be used together")
			}
			f, err := volume.ParseFilter(filters)
			if err != nil {
				return err
			}
			vols, err := e.VolumeList(ctx, f)
			if err != nil {
				return err
			}
			return printVolumes(c.OutOrStdout(), vols, format, quiet, noHeading)
		}),
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&filters, "filter", "f", nil, "show only volumes that match: name=REGEXP, label=KEY[=VALUE], driver=, dangling=true|false, anonymous=true|false")
	fl.StringVar(&format, "format", "", "json, or a Go template over each volume (e.g. '{{.Name}}')")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print the names only")
	fl.BoolVarP(&noHeading, "noheading", "n", false, "print no header line")
	return cmd
}

func printVolumes(w io.Writer, vols []*volume.Volume, format string, quiet, noHeading bool) error {
	switch {
	case format == "json":
		if vols == nil {
			vols = []*volume.Volume{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(vols)
	case quiet:
		format = "{{.Name}}"
	}
	if format != "" {
		return printTemplate(w, format, vols)
	}
	if len(vols) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	if !noHeading {
		fmt.Fprintln(tw, "DRIVER\tVOLUME NAME")
	}
	for _, v := range vols {
		fmt.Fprintf(tw, "%s\t%s\n", v.Driver, v.Name)
	}
	return tw.Flush()
}

func newVolumeInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	var all bool
	cmd := &cobra.Command{
		Use:   "inspect [flags] VOLUME...",
		Short: "Show volumes' records, as JSON",
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return errors.New("give one or more volumes, or --all")
			}
			out := []*volume.Volume{}
			if all {
				vols, err := e.VolumeList(ctx, volume.Filter{})
				if err != nil {
					return err
				}
				out = vols
			}
			for _, name := range args {
				v, err := e.Volumes().Load(name)
				if err != nil {
					return err
				}
				out = append(out, v)
			}
			if format != "" && format != "json" {
				return printTemplate(c.OutOrStdout(), format, out)
			}
			enc := json.NewEncoder(c.OutOrStdout())
			enc.SetIndent("", "    ")
			return enc.Encode(out)
		}),
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "a Go template over each volume (e.g. '{{.Mountpoint}}')")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "inspect every volume")
	return cmd
}

func newVolumeRmCommand(g *globalOptions) *cobra.Command {
	var all, force bool
	var timeout int
	cmd := &cobra.Command{
		Use:     "rm [flags] VOLUME...",
		Aliases: []string{"remove"},
		Short:   "Remove volumes (in use ones only with -f, which removes their containers)",
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return errors.New("give one or more volumes, or --all")
			}
			if c.Flags().Changed("time") && !force {
				return errors.New("--time needs --force")
			}
			if all {
				vols, err := e.Volumes().List()
				if err != nil {
					return err
				}
				for _, v := range vols {
					args = append(args, v.Name)
				}
			}
			return eachContainer(c.OutOrStdout(), args, false, func(name string) error {
				err := e.VolumeRemove(ctx, name, force)
				switch {
				case force && errors.Is(err, volume.ErrNoVolume):
					return errSkip
				case errors.Is(err, volume.ErrNoVolume):
					return &launch.ExitError{Code: 1, Err: err} // podman's code
				}
				return err
			})
		}),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, "remove every volume")
	fl.BoolVarP(&force, "force", "f", false, "remove the containers that use the volume first")
	fl.IntVarP(&timeout, "time", "t", 10, "seconds to wait for those containers to stop (rl kills them at once)")
	return cmd
}

func newVolumePruneCommand(g *globalOptions) *cobra.Command {
	var force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [flags]",
		Short: "Remove every volume that no container uses",
		Args:  cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			f, err := volume.ParseFilter(filters)
			if err != nil {
				return err
			}
			if !force {
				// podman's prompt, with the volumes it would remove.
				unused, err := volume.ParseFilter(append(slices.Clone(filters), "dangling=true"))
				if err != nil {
					return err
				}
				vols, err := e.VolumeList(ctx, unused)
				if err != nil {
					return err
				}
				if len(vols) == 0 {
					fmt.Fprintln(c.OutOrStdout(), "No dangling volumes found")
					return nil
				}
				var names []string
				for _, v := range vols {
					names = append(names, v.Name)
				}
				warning := "WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:\n" + strings.Join(names, "\n")
				if !confirm(c.InOrStdin(), c.OutOrStdout(), warning) {
					return nil
				}
			}
			names, err := e.VolumePrune(ctx, f)
			fmt.Fprint(c.OutOrStdout(), joinLines(names))
			return err
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "prune only the volumes that match (as volume ls --filter)")
	return cmd
}

// confirm prints warning and asks the user to go on; only an answer of y
// or yes does.
func confirm(in io.Reader, out io.Writer, warning string) bool {
	fmt.Fprintf(out, "%s\nAre you sure you want to continue? [y/N] ", warning)
	answer, _ := bufio.NewReader(in).ReadString('\n')
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes"
}

func newVolumeExistsCommand(g *globalOptions, code *int) *cobra.Command {
	return &cobra.Command{
		Use:   "exists VOLUME",
		Short: "Exit 0 when the volume exists, 1 when it does not",
		Args:  cobra.ExactArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, _ *cobra.Command, args []string) error {
			_, err := e.Volumes().Load(args[0])
			if errors.Is(err, volume.ErrNoVolume) {
				*code = 1
				return nil
			}
			return err
		}),
	}
}

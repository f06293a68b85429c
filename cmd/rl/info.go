package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
)

func newInfoCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "info [flags]",
		Short: "Show what rl uses on this machine, and what is missing",
		Args:  cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			if err := checkJSONFormat(format); err != nil {
				return err
			}
			info := e.Info(ctx)
			out := c.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(info)
			}
			w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
			for _, row := range [][2]string{
				{"kernel", info.Kernel}, {"rootless", fmt.Sprint(info.Rootless)},
				{"uid map", info.UIDMap}, {"gid map", info.GIDMap}, {"overlay", info.Overlay},
				{"network", info.Network}, {"cgroups", info.Cgroups},
				{"root", info.Root}, {"run root", info.RunRoot}, {"seccomp", info.Seccomp},
			} {
				fmt.Fprintf(w, "%s:\t%s\n", row[0], row[1])
			}
			for _, h := range info.Helpers {
				fmt.Fprintf(w, "helper:\t%s\n", h)
			}
			for _, warn := range info.Warnings {
				fmt.Fprintf(w, "warning:\t%s\n", warn)
			}
			return w.Flush()
		}),
	}
	cmd.Flags().StringVar(&format, "format", "", "output format: json (default: a table)")
	return cmd
}

// checkJSONFormat accepts the --format of commands that print a table or,
// with json, JSON.
func checkJSONFormat(format string) error {
	if format != "" && format != "json" {
		return fmt.Errorf("invalid --format %q: use json, or leave it unset", format)
	}
	return nil
}

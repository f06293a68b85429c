package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/doctor"
)

// newDoctorCommand is rl doctor: every prerequisite of rl's features,
// checked. It sets *code to 1 when one that rl's defaults need fails.
func newDoctorCommand(g *globalOptions, code *int) *cobra.Command {
	var format string
	var script bool
	cmd := &cobra.Command{
		Use:   "doctor [flags]",
		Short: "Check this machine for everything rl needs, and say how to fix what is missing",
		Long: "rl doctor checks user namespaces, subordinate ids and newuidmap, the store's filesystem, cgroups and the user's systemd, " +
			"the network helpers and rl's own helpers. Each check has an id (docs/troubleshooting.md); " +
			"the exit status is 1 when a check that rl's defaults need fails.",
		Args: cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			if err := checkJSONFormat(format); err != nil {
				return err
			}
			h, results := e.Doctor(ctx)
			if !doctor.Healthy(results) {
				*code = 1
			}
			out := c.OutOrStdout()
			switch {
			case script:
				return doctor.WriteScript(out, results, h.Who())
			case format == "json":
				return printJSON(out, results, "  ")
			}
			return printDoctor(out, results)
		}),
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "json, or leave unset for a table")
	cmd.Flags().BoolVar(&script, "fix-script", false, "print a shell script of the fixes that need root, to review and run as root")
	return cmd
}

// printDoctor is rl doctor's table: one line per check, and for each
// that is not ok what it breaks and its fix.
func printDoctor(out io.Writer, results []doctor.Result) error {
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "STATUS\tCHECK\tFOUND")
	for _, r := range results {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.Status, r.ID, r.Found)
		if r.Breaks != "" {
			fmt.Fprintf(w, "\t\tbreaks: %s\n", r.Breaks)
		}
		if r.Fix != "" {
			label := "fix: "
			if r.Root {
				label = "fix (as root): "
			}
			for i, l := range strings.Split(r.Fix, "\n") {
				if i > 0 {
					label = "  "
				}
				fmt.Fprintf(w, "\t\t%s%s\n", label, l)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(out, doctor.Summary(results))
	return err
}

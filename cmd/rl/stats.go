package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
)

func newStatsCommand(g *globalOptions) *cobra.Command {
	cmd := statsCommand(g, func(_ context.Context, _ *rootless.Engine, args []string) ([]string, error) { return args, nil })
	cmd.Use, cmd.Short = "stats [flags] CONTAINER...", "Show the resource use of running containers that have limits"
	cmd.Long = "Show the CPU, memory, IO and process use of running containers that have limits,\n" +
		"a sample a second until one of them exits (or once, with --no-stream)."
	return cmd
}

// newPodStatsCommand is rl pod stats: rl stats of the pods' containers
// (the infra ones left out: they have no cgroup).
func newPodStatsCommand(g *globalOptions) *cobra.Command {
	cmd := statsCommand(g, func(ctx context.Context, e *rootless.Engine, pods []string) ([]string, error) {
		var refs []string
		for _, ref := range pods {
			ps, err := e.InspectPod(ctx, ref)
			if err != nil {
				return nil, err
			}
			for _, st := range ps.Containers {
				if st.ID != ps.InfraID && st.Active() {
					refs = append(refs, st.Name)
				}
			}
		}
		if len(refs) == 0 {
			return nil, errors.New("no running containers in the pods")
		}
		return refs, nil
	})
	cmd.Use, cmd.Short = "stats [flags] POD...", "Show the resource use of the running containers of pods"
	return cmd
}

// statsCommand is rl stats of the containers that refs names for the
// command's arguments.
func statsCommand(g *globalOptions, refs func(ctx context.Context, e *rootless.Engine, args []string) ([]string, error)) *cobra.Command {
	var noStream bool
	var format string
	cmd := &cobra.Command{
		Args: cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if err := checkJSONFormat(format); err != nil {
				return err
			}
			ids, err := refs(ctx, e, args)
			if err != nil {
				return err
			}
			err = e.Stats(ctx, ids, !noStream, func(samples []rootless.Sample) error {
				return printStats(c.OutOrStdout(), samples, format, !noStream)
			})
			if errors.Is(err, rootless.ErrNoCgroup) {
				return fmt.Errorf("%w: run it with limits (e.g. --memory) to see its stats", err)
			}
			return err
		}),
	}
	cmd.Flags().BoolVar(&noStream, "no-stream", false, "print one sample and exit")
	cmd.Flags().StringVar(&format, "format", "", "json: one JSON array per sample")
	return cmd
}

// printStats prints one sample of every container: a JSON array, or a
// table (after clearing the terminal, when streaming).
func printStats(w io.Writer, samples []rootless.Sample, format string, clear bool) error {
	if format == "json" {
		return json.NewEncoder(w).Encode(samples)
	}
	if clear {
		fmt.Fprint(w, "\033[H\033[2J")
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCPU %\tMEM USAGE / LIMIT\tBLOCK I/O\tPIDS")
	for _, s := range samples {
		limit := "-"
		if s.MemoryLimit != 0 {
			limit = units.BytesSize(float64(s.MemoryLimit))
		}
		fmt.Fprintf(tw, "%s\t%.2f%%\t%s / %s\t%s / %s\t%d\n", s.Name, s.CPUPercent,
			units.BytesSize(float64(s.MemoryBytes)), limit,
			units.BytesSize(float64(s.IOReadBytes)), units.BytesSize(float64(s.IOWriteBytes)), s.Pids)
	}
	return tw.Flush()
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/store"
)

func newStatsCommand(g *globalOptions) *cobra.Command {
	var noStream bool
	var format string
	cmd := &cobra.Command{
		Use:   "stats [flags] CONTAINER...",
		Short: "Show the resource use of running containers that have limits",
		Long: "Show the CPU, memory, IO and process use of running containers that have limits,\n" +
			"a sample a second until one of them exits (or once, with --no-stream).",
		Args: cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if err := checkJSONFormat(format); err != nil {
				return err
			}
			var paths, names []string
			for _, ref := range args {
				st, err := e.Lookup(ctx, ref)
				if err != nil {
					return err
				}
				if st.Cgroup == nil || st.Cgroup.Path == "" {
					return fmt.Errorf("container %s has no cgroup of its own: run it with limits (e.g. --memory) to see its stats", ref)
				}
				paths, names = append(paths, st.Cgroup.Path), append(names, ref)
			}
			// CPU % is the CPU time used between two samples a second apart.
			prev, err := sample(paths)
			if err != nil {
				return err
			}
			for {
				last := time.Now()
				time.Sleep(time.Second)
				cur, err := sample(paths)
				if err != nil && !noStream && anyExited(ctx, e, args) {
					return nil // the stream ends with the containers
				}
				if err != nil {
					return err
				}
				elapsed := float64(time.Since(last).Microseconds())
				rows := make([]statsRow, len(paths))
				for i := range paths {
					cpu := float64(cur[i].CPUUsec-prev[i].CPUUsec) / elapsed * 100
					rows[i] = statsRow{Name: names[i], CPUPercent: cpu, Stats: cur[i]}
				}
				prev = cur
				if err := printStats(c.OutOrStdout(), rows, format, !noStream); err != nil {
					return err
				}
				if noStream {
					return nil
				}
			}
		}),
	}
	cmd.Flags().BoolVar(&noStream, "no-stream", false, "print one sample and exit")
	cmd.Flags().StringVar(&format, "format", "", "json: one JSON array per sample")
	return cmd
}

// anyExited is true when one of the containers no longer runs.
func anyExited(ctx context.Context, e *rootless.Engine, refs []string) bool {
	for _, ref := range refs {
		if st, err := e.Lookup(ctx, ref); err != nil || st.Status != store.StatusRunning {
			return true
		}
	}
	return false
}

// sample reads the stats of each cgroup path.
func sample(paths []string) ([]cgroupsd.Stats, error) {
	out := make([]cgroupsd.Stats, len(paths))
	for i, p := range paths {
		s, err := cgroupsd.Sample(p)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// statsRow is one container's line of rl stats.
type statsRow struct {
	Name       string  `json:"name"`
	CPUPercent float64 `json:"cpu_percent"`
	cgroupsd.Stats
}

func printStats(w io.Writer, rows []statsRow, format string, clear bool) error {
	if format == "json" {
		return json.NewEncoder(w).Encode(rows)
	}
	if clear {
		fmt.Fprint(w, "\033[H\033[2J")
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCPU %\tMEM USAGE / LIMIT\tBLOCK I/O\tPIDS")
	for _, r := range rows {
		limit := "-"
		if r.MemoryLimit != 0 {
			limit = units.BytesSize(float64(r.MemoryLimit))
		}
		fmt.Fprintf(tw, "%s\t%.2f%%\t%s / %s\t%s / %s\t%d\n", r.Name, r.CPUPercent,
			units.BytesSize(float64(r.MemoryBytes)), limit,
			units.BytesSize(float64(r.IOReadBytes)), units.BytesSize(float64(r.IOWriteBytes)), r.Pids)
	}
	return errors.Join(tw.Flush())
}

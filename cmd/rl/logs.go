package main

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/monitor"
)

func newLogsCommand(g *globalOptions) *cobra.Command {
	var o monitor.LogOptions
	var since, until string
	cmd := &cobra.Command{
		Use:   "logs [flags] CONTAINER...",
		Short: "Print what containers wrote to stdout and stderr",
		Long: "Print what containers wrote to stdout and stderr, as their log driver (k8s-file,\n" +
			"the default) kept it. The lines of several containers begin with each one's short id.",
		Args: cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			var err error
			if o.Since, err = opts.ParseLogTime("--since", since, true); err != nil {
				return err
			}
			if o.Until, err = opts.ParseLogTime("--until", until, false); err != nil {
				return err
			}
			return e.LogsOf(ctx, args, o, os.Stdout, os.Stderr)
		}),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&o.Follow, "follow", "f", false, "keep printing the output until the container exits")
	fl.IntVarP(&o.Tail, "tail", "n", -1, "print only this many lines from the end (-1: all)")
	fl.StringVar(&since, "since", "", "print only lines since this time (RFC 3339, Unix seconds) or this long ago (10m)")
	fl.StringVar(&until, "until", "", "print only lines until this time (RFC 3339, Unix seconds) or this long from now (10s; with -f, stop then)")
	fl.BoolVarP(&o.Timestamps, "timestamps", "t", false, "prefix each line with the time it was written")
	return cmd
}

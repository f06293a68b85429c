package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/store"
)

// errSkip is returned by an eachContainer action that did nothing and
// has nothing to report.
var errSkip = errors.New("skipped")

// eachContainer runs do for every named container, printing each name
// that succeeded, as docker does, and returns the errors of the others
// (after trying them all).
func eachContainer(out io.Writer, refs []string, do func(ref string) error) error {
	var errs []error
	for _, ref := range refs {
		err := do(ref)
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintln(out, ref)
	}
	return errors.Join(errs...)
}

func newStartCommand(g *globalOptions, code *int) *cobra.Command {
	var attach bool
	cmd := &cobra.Command{
		Use:   "start [flags] CONTAINER...",
		Short: "Start created or exited containers in the background",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if !attach {
				return eachContainer(c.OutOrStdout(), args, func(ref string) error { return e.Start(ctx, ref) })
			}
			if len(args) != 1 {
				return errors.New("start -a takes one container")
			}
			// By its id: with --rm, the name goes with the container.
			st, err := e.Lookup(ctx, args[0])
			if err != nil {
				return err
			}
			// Attached: this run's output as it comes (not the earlier
			// runs'), then its exit code.
			o := monitor.LogOptions{Follow: true, Tail: -1, Since: time.Now()}
			if err := e.Start(ctx, st.ID); err != nil {
				return err
			}
			err = e.Logs(ctx, st.ID, o, c.OutOrStdout(), c.ErrOrStderr())
			if err != nil && !errors.Is(err, store.ErrNoContainer) {
				return err
			}
			*code, err = e.Wait(ctx, st.ID)
			return err
		}),
	}
	cmd.Flags().BoolVarP(&attach, "attach", "a", false, "print the container's output until it exits, and exit with its code")
	return cmd
}

func newStopCommand(g *globalOptions) *cobra.Command {
	return stopCommand(g, "stop", "Stop running containers: SIGTERM, then SIGKILL after a grace period", nil)
}

func newRestartCommand(g *globalOptions) *cobra.Command {
	return stopCommand(g, "restart", "Stop and start containers again", (*rootless.Engine).Start)
}

// stopCommand is rl stop, and with then (rl start) rl restart.
func stopCommand(g *globalOptions, verb, short string, then func(*rootless.Engine, context.Context, string) error) *cobra.Command {
	var secs int
	cmd := &cobra.Command{
		Use:   verb + " [flags] CONTAINER...",
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if secs < 0 {
				return fmt.Errorf("invalid --time %d: must be 0 or more seconds", secs)
			}
			return eachContainer(c.OutOrStdout(), args, func(ref string) error {
				timeout := time.Duration(secs) * time.Second
				if !c.Flags().Changed("time") {
					timeout = rootless.ContainerTimeout // its --stop-timeout
				}
				err := e.Stop(ctx, ref, timeout)
				if err != nil || then == nil {
					return err
				}
				return then(e, ctx, ref)
			})
		}),
	}
	cmd.Flags().IntVarP(&secs, "time", "t", 10, "seconds to wait for the container to exit before killing it")
	return cmd
}

func newKillCommand(g *globalOptions) *cobra.Command {
	var sig string
	cmd := &cobra.Command{
		Use:   "kill [flags] CONTAINER...",
		Short: "Send a signal (default SIGKILL) to running containers",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			s, err := opts.ParseSignal(sig)
			if err != nil {
				return err
			}
			return eachContainer(c.OutOrStdout(), args, func(ref string) error { return e.Kill(ctx, ref, s) })
		}),
	}
	cmd.Flags().StringVarP(&sig, "signal", "s", "KILL", "signal to send")
	return cmd
}

func newWaitCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "wait CONTAINER...",
		Short: "Wait for containers to exit and print their exit codes",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			for _, ref := range args {
				code, err := e.Wait(ctx, ref)
				if err != nil {
					return err
				}
				fmt.Fprintln(c.OutOrStdout(), code)
			}
			return nil
		}),
	}
}

func newRmCommand(g *globalOptions) *cobra.Command {
	var force, volumes bool
	cmd := &cobra.Command{
		Use:   "rm [flags] CONTAINER...",
		Short: "Remove containers (running ones only with -f)",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			return eachContainer(c.OutOrStdout(), args, func(ref string) error {
				remove := e.Remove
				if volumes {
					remove = e.RemoveWithVolumes
				}
				err := remove(ctx, ref, force)
				if force && errors.Is(err, store.ErrNoContainer) {
					return errSkip // docker's rm -f: gone is as good as removed
				}
				return err
			})
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "kill a running container first")
	cmd.Flags().BoolVarP(&volumes, "volumes", "v", false, "remove the container's anonymous volumes too")
	return cmd
}

func newContainerCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "container", Short: "Manage containers"}
	cmd.AddCommand(&cobra.Command{
		Use:   "prune",
		Short: "Remove every container that is not running",
		Args:  cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			ids, err := e.Prune(ctx)
			fmt.Fprint(c.OutOrStdout(), joinLines(ids))
			return err
		}),
	})
	return cmd
}

// joinLines is each string on a line of its own.
func joinLines(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return strings.Join(s, "\n") + "\n"
}

func newTopCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "top CONTAINER [ps OPTIONS]",
		Short: "List a running container's processes (with ps, as docker top does; default -f)",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			pids, err := e.Top(ctx, args[0])
			if err != nil {
				return err
			}
			list := make([]string, len(pids))
			for i, p := range pids {
				list[i] = strconv.Itoa(p)
			}
			psArgs := args[1:]
			if len(psArgs) == 0 {
				psArgs = []string{"-f"}
			}
			ps := exec.Command("ps", append(psArgs, "-p", strings.Join(list, ","))...)
			ps.Stdout, ps.Stderr = c.OutOrStdout(), c.ErrOrStderr()
			if err := ps.Run(); err != nil {
				return fmt.Errorf("running ps: %w", err)
			}
			return nil
		}),
	}
	// Flags after the container are ps's.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

package main

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
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
		RunE: func(c *cobra.Command, args []string) error {
			store, err := g.store()
			if err != nil {
				return err
			}
			if !attach {
				return eachContainer(c.OutOrStdout(), args, func(ref string) error { return rootless.Start(store, ref) })
			}
			if len(args) != 1 {
				return errors.New("start -a takes one container")
			}
			// By its id: with --rm, the name goes with the container.
			st, err := rootless.Lookup(store, args[0])
			if err != nil {
				return err
			}
			// Attached: this run's output as it comes (not the earlier
			// runs'), then its exit code.
			o := rootless.LogOptions{Follow: true, Tail: -1, Since: time.Now()}
			if err := rootless.Start(store, st.ID); err != nil {
				return err
			}
			err = rootless.Logs(store, st.ID, o, c.OutOrStdout(), c.ErrOrStderr())
			if err != nil && !errors.Is(err, rootless.ErrNoContainer) {
				return err
			}
			*code, err = rootless.Wait(store, st.ID)
			return err
		},
	}
	cmd.Flags().BoolVarP(&attach, "attach", "a", false, "print the container's output until it exits, and exit with its code")
	return cmd
}

func newStopCommand(g *globalOptions) *cobra.Command {
	return stopCommand(g, "stop", "Stop running containers: SIGTERM, then SIGKILL after a grace period", nil)
}

func newRestartCommand(g *globalOptions) *cobra.Command {
	return stopCommand(g, "restart", "Stop and start containers again", rootless.Start)
}

// stopCommand is rl stop, and with then (rl start) rl restart.
func stopCommand(g *globalOptions, verb, short string, then func(rootless.Store, string) error) *cobra.Command {
	var secs int
	cmd := &cobra.Command{
		Use:   verb + " [flags] CONTAINER...",
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if secs < 0 {
				return fmt.Errorf("invalid --time %d: must be 0 or more seconds", secs)
			}
			store, err := g.store()
			if err != nil {
				return err
			}
			return eachContainer(c.OutOrStdout(), args, func(ref string) error {
				err := rootless.Stop(store, ref, time.Duration(secs)*time.Second)
				if err != nil || then == nil {
					return err
				}
				return then(store, ref)
			})
		},
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
		RunE: func(c *cobra.Command, args []string) error {
			s, err := rootless.ParseSignal(sig)
			if err != nil {
				return err
			}
			store, err := g.store()
			if err != nil {
				return err
			}
			return eachContainer(c.OutOrStdout(), args, func(ref string) error { return rootless.Kill(store, ref, s) })
		},
	}
	cmd.Flags().StringVarP(&sig, "signal", "s", "KILL", "signal to send")
	return cmd
}

func newWaitCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "wait CONTAINER...",
		Short: "Wait for containers to exit and print their exit codes",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			store, err := g.store()
			if err != nil {
				return err
			}
			for _, ref := range args {
				code, err := rootless.Wait(store, ref)
				if err != nil {
					return err
				}
				fmt.Fprintln(c.OutOrStdout(), code)
			}
			return nil
		},
	}
}

func newRmCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "rm [flags] CONTAINER...",
		Short: "Remove containers (running ones only with -f)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			store, err := g.store()
			if err != nil {
				return err
			}
			return eachContainer(c.OutOrStdout(), args, func(ref string) error {
				err := rootless.Remove(store, ref, force)
				if force && errors.Is(err, rootless.ErrNoContainer) {
					return errSkip // docker's rm -f: gone is as good as removed
				}
				return err
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "kill a running container first")
	// docker's -v removes anonymous volumes; rl makes none, so it has
	// nothing to add.
	cmd.Flags().BoolP("volumes", "v", false, "accepted for docker compatibility: rl creates no anonymous volumes")
	return cmd
}

func newContainerCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "container", Short: "Manage containers"}
	cmd.AddCommand(&cobra.Command{
		Use:   "prune",
		Short: "Remove every container that is not running",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			store, err := g.store()
			if err != nil {
				return err
			}
			ids, err := rootless.Prune(store)
			fmt.Fprint(c.OutOrStdout(), joinLines(ids))
			return err
		},
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

// parseSince reads --since: an RFC 3339 time or a duration before now.
func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, fmt.Errorf("invalid --since %q: give a duration (10m), a Unix time or an RFC 3339 time", s)
	}
	return t, nil
}

func newTopCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "top CONTAINER [ps OPTIONS]",
		Short: "List a running container's processes (with ps, as docker top does; default -f)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			store, err := g.store()
			if err != nil {
				return err
			}
			pids, err := rootless.Top(store, args[0])
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
		},
	}
	// Flags after the container are ps's.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

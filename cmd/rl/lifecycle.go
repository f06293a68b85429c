package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/store"
)

// errSkip is returned by an eachContainer action that did nothing and
// has nothing to report.
var errSkip = errors.New("skipped")

// eachContainer runs do for every named container, printing each name
// that succeeded as it was given, as podman does, and returns the errors
// of the others (after trying them all). With ignore, a name that names
// no container is passed over in silence (podman's --ignore).
func eachContainer(out io.Writer, refs []string, ignore bool, do func(ref string) error) error {
	var errs []error
	for _, ref := range refs {
		err := do(ref)
		if errors.Is(err, errSkip) || (ignore && isMissing(err)) {
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

// isMissing is true for an error about a container, pod or image that
// does not exist.
func isMissing(err error) bool {
	return errors.Is(err, store.ErrNoContainer) || errors.Is(err, store.ErrNoPod) || errors.Is(err, image.ErrNotFound)
}

// exitCode gives err the exit code podman gives its cause: code for a
// missing container, pod or image (when code is not 0), 2 for a container in a
// state that forbids the action (rl rm of a running one).
func exitCode(err error, missing int) error {
	switch {
	case err == nil:
		return nil
	case missing != 0 && isMissing(err):
		return &launch.ExitError{Code: missing, Err: err}
	case errors.Is(err, rootless.ErrStateImproper):
		return &launch.ExitError{Code: 2, Err: err}
	}
	return err
}

// targets are the flags that choose the containers (or pods) of rm, stop,
// kill and pod rm, besides the names given: --all, --ignore, --cidfile.
type targets struct {
	all, ignore bool
	cidFiles    []string
}

// addFlags adds --all (described by all), --ignore and, with cidFile,
// --cidfile.
func (t *targets) addFlags(fl *pflag.FlagSet, all string, cidFile bool) {
	fl.BoolVarP(&t.all, "all", "a", false, all)
	fl.BoolVarP(&t.ignore, "ignore", "i", false, "pass over names that name nothing (and missing --cidfile files) without an error")
	if cidFile {
		fl.StringArrayVar(&t.cidFiles, "cidfile", nil, "read the container's id from this file (as run --cidfile wrote it)")
	}
}

// refs are the names to act on: args and the ids in the --cidfile files,
// or with --all every id that list returns.
func (t *targets) refs(args []string, list func() ([]string, error)) ([]string, error) {
	if t.all {
		if len(args) > 0 || len(t.cidFiles) > 0 {
			return nil, errors.New("--all takes no names: give names or --all")
		}
		return list()
	}
	refs := slices.Clone(args)
	for _, f := range t.cidFiles {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) && t.ignore {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading CIDFile: %w", err)
		}
		refs = append(refs, strings.TrimSpace(string(b)))
	}
	if len(refs) == 0 && len(t.cidFiles) == 0 {
		return nil, errors.New("no container given: name at least one, or pass --all")
	}
	return refs, nil
}

// containerIDs returns the full ids of the containers, of the running
// ones only with running, oldest first.
func containerIDs(e *rootless.Engine, running bool) func() ([]string, error) {
	return func() ([]string, error) {
		list := e.Store.List
		if running {
			list = e.Store.ListActive
		}
		states, err := list()
		var ids []string
		for _, st := range states {
			if (!running || st.Active()) && !e.Store.IsInfra(st) {
				ids = append(ids, st.ID)
			}
		}
		return ids, err
	}
}

func newStartCommand(g *globalOptions, code *int) *cobra.Command {
	var attach, interactive bool
	cmd := &cobra.Command{
		Use:   "start [flags] CONTAINER...",
		Short: "Start created or exited containers in the background",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			if !attach && !interactive {
				err := eachContainer(c.OutOrStdout(), args, false, func(ref string) error { return e.Start(ctx, ref) })
				if err != nil {
					// podman's start exits 125 whatever kept the
					// command from running (127 is run's).
					return &launch.ExitError{Code: 125, Err: err}
				}
				return nil
			}
			if len(args) != 1 {
				return errors.New("start -a and -i take one container")
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
	// rl's detached containers take no input after they start: -i
	// attaches their output as -a does.
	cmd.Flags().BoolVarP(&interactive, "interactive", "i", false, "as --attach (a started container's stdin stays closed)")
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
	var st stopTime
	var t targets
	cmd := &cobra.Command{
		Use:   verb + " [flags] CONTAINER...",
		Short: short,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			grace, err := st.grace()
			if err != nil {
				return err
			}
			if !c.Flags().Changed("time") && !c.Flags().Changed("timeout") {
				grace = rootless.ContainerTimeout // each container's --stop-timeout
			}
			refs, err := t.refs(args, containerIDs(e, then == nil))
			if err != nil {
				return err
			}
			return eachContainer(c.OutOrStdout(), refs, t.ignore, func(ref string) error {
				err := e.Stop(ctx, ref, grace)
				if err != nil || then == nil {
					return err
				}
				return then(e, ctx, ref)
			})
		}),
	}
	fl := cmd.Flags()
	st.addFlag(fl, "seconds to wait for the container to exit before killing it (0: kill it at once; -1: never kill it)")
	// podman's other name for --time.
	fl.IntVar(&st.secs, "timeout", 10, "the same as --time")
	_ = fl.MarkHidden("timeout")
	t.addFlags(fl, "every running container", true)
	return cmd
}

// stopTime is -t/--time of rl stop, rm and the pod verbs: the seconds to
// wait after the stop signal before SIGKILL; -1 is podman's "without
// limit".
type stopTime struct{ secs int }

// addFlag adds -t/--time (default 10 s).
func (t *stopTime) addFlag(fl *pflag.FlagSet, usage string) {
	fl.IntVarP(&t.secs, "time", "t", 10, usage)
}

// grace is the timeout the flag gives, rootless.WaitForever for -1.
func (t stopTime) grace() (time.Duration, error) {
	switch {
	case t.secs == -1:
		return rootless.WaitForever, nil
	case t.secs < -1:
		return 0, fmt.Errorf("invalid --time %d: give seconds, 0 to kill at once or -1 to wait without limit", t.secs)
	}
	return time.Duration(t.secs) * time.Second, nil
}

func newKillCommand(g *globalOptions) *cobra.Command {
	var sig string
	var t targets
	cmd := &cobra.Command{
		Use:   "kill [flags] CONTAINER...",
		Short: "Send a signal (default SIGKILL) to running containers",
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			s, err := parseKillSignal(sig)
			if err != nil {
				return err
			}
			refs, err := t.refs(args, containerIDs(e, true))
			if err != nil {
				return err
			}
			return eachContainer(c.OutOrStdout(), refs, t.ignore, func(ref string) error { return e.Kill(ctx, ref, s) })
		}),
	}
	cmd.Flags().StringVarP(&sig, "signal", "s", "KILL", "signal to send: a name (TERM, SIGHUP) or a number from 1 to 64, with or without a leading -")
	t.addFlags(cmd.Flags(), "every running container", true)
	return cmd
}

// parseKillSignal reads kill -s as podman does: kill(1)'s -HUP and -1
// forms too.
func parseKillSignal(s string) (unix.Signal, error) {
	return opts.ParseSignal(strings.TrimPrefix(s, "-"))
}

func newWaitCommand(g *globalOptions) *cobra.Command {
	var ignore bool
	cmd := &cobra.Command{
		Use:   "wait CONTAINER...",
		Short: "Wait for containers to exit and print their exit codes",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			for _, ref := range args {
				code, err := e.Wait(ctx, ref)
				if ignore && errors.Is(err, store.ErrNoContainer) {
					code, err = -1, nil // podman's mark of a missing container
				}
				if err != nil {
					return err
				}
				fmt.Fprintln(c.OutOrStdout(), code)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&ignore, "ignore", "i", false, "print -1 for a container that does not exist instead of failing")
	return cmd
}

func newRmCommand(g *globalOptions) *cobra.Command {
	var force, depend, volumes bool
	var st stopTime
	var t targets
	cmd := &cobra.Command{
		Use:   "rm [flags] CONTAINER...",
		Short: "Remove containers (running ones only with -f)",
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			grace, err := rmGrace(c, st)
			if err != nil {
				return err
			}
			refs, err := t.refs(args, containerIDs(e, false))
			if err != nil {
				return err
			}
			out := c.OutOrStdout()
			// podman's rm -f: gone is as good as removed.
			err = removeInOrder(out, refs, t.ignore || force, func(ref string) error {
				if depend {
					return removeDepending(ctx, e, out, ref, force, grace)
				}
				if volumes {
					return e.RemoveWithVolumes(ctx, ref, force, grace)
				}
				return e.RemoveGrace(ctx, ref, force, grace)
			})
			return exitCode(err, 1)
		}),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&force, "force", "f", false, "stop a running container first")
	st.addFlag(fl, "with -f, seconds to wait for a running container to exit after its stop signal (default: kill it at once; -1: never kill it)")
	fl.BoolVar(&depend, "depend", false, "remove what depends on the container too: the containers that join its network (--network container:), and a pod's infra container goes with its pod and the pod's containers")
	t.addFlags(fl, "every container", true)
	fl.BoolVarP(&volumes, "volumes", "v", false, "remove the container's anonymous volumes too")
	return cmd
}

// removeInOrder removes refs with remove as eachContainer does, but puts
// off a container that others depend on until the rest are done, for as
// long as that removes more: rm -a removes the containers that join
// another's network before that one, as podman does.
func removeInOrder(out io.Writer, refs []string, ignore bool, remove func(ref string) error) error {
	var errs []error
	for {
		var later []string
		errs = append(errs, eachContainer(out, refs, ignore, func(ref string) error {
			err := remove(ref)
			if errors.Is(err, rootless.ErrDependents) {
				later = append(later, ref)
				return errSkip
			}
			return err
		}))
		switch len(later) {
		case 0:
			return errors.Join(errs...)
		case len(refs):
			// Their dependents are not among refs: say so.
			return errors.Join(append(errs, eachContainer(out, later, ignore, remove))...)
		}
		refs = later
	}
}

// removeDepending is rm --depend of ref: the containers that join its
// network go first (their ids printed), and a pod's infra container goes
// with its pod, and the ids of all the pod's containers are printed (as
// podman prints them; errSkip tells eachContainer not to print ref too).
func removeDepending(ctx context.Context, e *rootless.Engine, out io.Writer, ref string, force bool, grace time.Duration) error {
	st, err := e.Lookup(ctx, ref)
	if err != nil {
		return err
	}
	if !e.Store.IsInfra(st) {
		deps, err := e.Dependents(ctx, st.ID)
		if err != nil {
			return err
		}
		for _, dep := range deps {
			err := removeDepending(ctx, e, out, dep, force, grace)
			if err == nil {
				fmt.Fprintln(out, dep)
			} else if !errors.Is(err, errSkip) {
				return err
			}
		}
		return e.RemoveGrace(ctx, ref, force, grace)
	}
	ps, err := e.InspectPod(ctx, st.PodID)
	if err != nil {
		return err
	}
	if err := e.RemovePod(ctx, ps.ID, force, grace); err != nil {
		return err
	}
	for _, m := range ps.Containers {
		fmt.Fprintln(out, m.ID)
	}
	return errSkip
}

// rmGrace is how rm -f and pod rm -f stop a running container: after -t
// as stop does, else (-1 for RemoveGrace) by SIGKILL at once.
func rmGrace(c *cobra.Command, st stopTime) (time.Duration, error) {
	grace, err := st.grace()
	if err != nil || !c.Flags().Changed("time") {
		return -1, err
	}
	return grace, nil
}

// topColumns are podman top's format descriptors that the host's ps shows
// as podman does, with podman's headers: those of the host's view (huser,
// hgroup, hpid) and those that look the same from either side.
var topColumns = map[string]string{
	"huser": "user=HUSER", "hgroup": "group=HGROUP", "hpid": "pid=HPID",
	"args": "args=COMMAND", "comm": "comm=COMMAND", "pcpu": "pcpu=%CPU",
	"etime": "etime=ELAPSED", "time": "time=TIME", "tty": "tty=TTY",
	"vsz": "vsz=VSZ", "nice": "nice=NI",
}

// topDescriptors turns `rl top CONTAINER huser args` (descriptors, also
// comma-separated) into ps -o columns; false when an argument is not one
// of topColumns (ps options, then, as docker top takes them).
func topDescriptors(args []string) (string, bool) {
	var cols []string
	for _, a := range args {
		for _, d := range strings.Split(a, ",") {
			col, ok := topColumns[d]
			if !ok {
				return "", false
			}
			cols = append(cols, col)
		}
	}
	return strings.Join(cols, ","), true
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
			} else if columns, ok := topDescriptors(psArgs); ok {
				psArgs = []string{"-o", columns}
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

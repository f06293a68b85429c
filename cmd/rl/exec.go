package main

import (
	"context"
	"errors"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/exec"
)

func newExecCommand(g *globalOptions, code *int) *cobra.Command {
	var o exec.Options
	var env, envFiles []string
	var detach, latest bool
	var detachKeys string
	cmd := &cobra.Command{
		Use:   "exec [flags] CONTAINER COMMAND [ARG...]",
		Short: "Run a command in a running container",
		Long: "Run a command in a running container: in all its namespaces, its cgroup, as its\n" +
			"user (or -u's) and in its working directory (or -w's), with its environment plus -e.\n" +
			"Exit codes as rl run's: the command's, 125 when rl fails, 126 or 127 when the\n" +
			"command cannot be executed or found. With -d, rl prints the exec session's id\n" +
			"once the command runs and leaves it running (exit code 125 if it could not start).",
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) == 0 && !latest:
				return errors.New("exec requires the name or ID of a container or the --latest flag")
			case len(args) < 2 && !latest, len(args) == 0:
				return errors.New("must provide a non-empty command to start an exec session")
			}
			return nil
		},
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			var err error
			if o.Env, err = opts.ParseEnv(env, envFiles, os.LookupEnv); err != nil {
				return err
			}
			if err := opts.CheckWorkdir(o.Workdir); err != nil {
				return err
			}
			ref := ""
			if latest {
				if ref, err = latestContainer(ctx, e); err != nil {
					return err
				}
			} else {
				ref, args = args[0], args[1:]
			}
			o.Args = args
			if detach && !detachedExec() {
				return startDetachedExec(c.OutOrStdout())
			}
			if detachedExec() {
				// The report's fd is not rl-init's.
				unix.CloseOnExec(3)
				o.Started = reportExecStarted
			}
			*code, err = e.Exec(ctx, ref, o)
			return err
		}),
	}
	// Flags after the container belong to the command.
	cmd.Flags().SetInterspersed(false)
	fl := cmd.Flags()
	fl.BoolVarP(&detach, "detach", "d", false, "leave the command running in the background and print the exec session's id")
	fl.StringVar(&detachKeys, "detach-keys", "", "accepted for podman's sake: rl exec has no attached session to detach from")
	fl.BoolVarP(&latest, "latest", "l", false, "run the command in the container created last")
	fl.BoolVarP(&o.Interactive, "interactive", "i", false, "pass stdin to the command")
	fl.BoolVarP(&o.TTY, "tty", "t", false, "allocate a pseudo-terminal for the command (and set TERM=xterm unless the environment has TERM)")
	fl.StringArrayVarP(&env, "env", "e", nil, "set an environment variable (KEY=VALUE, or KEY to copy it from rl's environment)")
	fl.StringArrayVar(&envFiles, "env-file", nil, "read environment variables from a file of KEY=VALUE lines")
	fl.StringVarP(&o.Workdir, "workdir", "w", "", "working directory inside the container")
	fl.StringVarP(&o.User, "user", "u", "", "user to run as: NAME|UID[:GROUP|GID]")
	fl.BoolVar(&o.Privileged, "privileged", false, "give the command every capability (the container's seccomp filter and no_new_privs stay)")
	return cmd
}

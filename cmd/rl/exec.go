package main

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/exec"
)

func newExecCommand(g *globalOptions, code *int) *cobra.Command {
	var o exec.Options
	var env, envFiles []string
	cmd := &cobra.Command{
		Use:   "exec [flags] CONTAINER COMMAND [ARG...]",
		Short: "Run a command in a running container",
		Long: "Run a command in a running container: in all its namespaces, its cgroup, as its\n" +
			"user (or -u's) and in its working directory (or -w's), with its environment plus -e.\n" +
			"Exit codes as rl run's: the command's, 125 when rl fails, 126 or 127 when the\n" +
			"command cannot be executed or found.",
		Args: cobra.MinimumNArgs(2),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			var err error
			if o.Env, err = opts.ParseEnv(env, envFiles, os.LookupEnv); err != nil {
				return err
			}
			if err := opts.CheckWorkdir(o.Workdir); err != nil {
				return err
			}
			o.Args = args[1:]
			*code, err = e.Exec(ctx, args[0], o)
			return err
		}),
	}
	// Flags after the container belong to the command.
	cmd.Flags().SetInterspersed(false)
	fl := cmd.Flags()
	fl.BoolVarP(&o.Interactive, "interactive", "i", false, "pass stdin to the command")
	fl.BoolVarP(&o.TTY, "tty", "t", false, "allocate a pseudo-terminal for the command")
	fl.StringArrayVarP(&env, "env", "e", nil, "set an environment variable (KEY=VALUE, or KEY to copy it from rl's environment)")
	fl.StringArrayVar(&envFiles, "env-file", nil, "read environment variables from a file of KEY=VALUE lines")
	fl.StringVarP(&o.Workdir, "workdir", "w", "", "working directory inside the container")
	fl.StringVarP(&o.User, "user", "u", "", "user to run as: NAME|UID[:GROUP|GID]")
	fl.BoolVar(&o.Privileged, "privileged", false, "give the command every capability (the container's seccomp filter and no_new_privs stay)")
	return cmd
}

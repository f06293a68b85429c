package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/store"
)

// globalOptions are the flags every command takes.
type globalOptions struct {
	logLevel string
	root     string
	runRoot  string
	engineFlags
}

// store returns the container store: the defaults, then the configuration
// file (rl.conf), then --root and --runroot, made absolute: rl-init
// resolves them after changing directories.
func (g *globalOptions) store() (store.Store, error) {
	s, err := store.Configured()
	if err != nil && (g.root == "" || g.runRoot == "") {
		return s, err
	}
	for _, f := range []struct {
		flag string
		dst  *string
	}{{g.root, &s.Root}, {g.runRoot, &s.RunRoot}} {
		if f.flag == "" {
			continue
		}
		if *f.dst, err = filepath.Abs(f.flag); err != nil {
			return s, fmt.Errorf("resolving %s: %w", f.flag, err)
		}
	}
	return s, nil
}

// withEngine adapts a command that needs the engine: the store is opened
// once, before run.
func (g *globalOptions) withEngine(run func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		s, err := g.store()
		if err != nil {
			return err
		}
		return run(c.Context(), rootless.New(s), c, args)
	}
}

// execute runs rl with args and returns the process exit code.
func execute(args []string) int {
	g := &globalOptions{}
	code := 0
	root := newRootCommand(g, &code, groupNamed(args, "container"))
	if completing(args) {
		registerCompletions(root, g)
	}
	root.SetArgs(args)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see %s --help)", err, c.CommandPath())
	})
	if err := root.Execute(); err != nil {
		printError(err)
		return launch.ExitCode(err)
	}
	return code
}

// newRootCommand is rl's command tree; the container group has its verbs
// only when full (the command line names it: its flags cost start-up
// time otherwise).
func newRootCommand(g *globalOptions, code *int, full bool) *cobra.Command {
	root := &cobra.Command{
		Use:           "rl",
		Short:         "Run rootless containers",
		Long:          "rl runs containers as an ordinary user: no daemon, no root, no setuid code of its own.",
		Version:       version,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			if err := setupLogging(g.logLevel); err != nil {
				return err
			}
			return g.apply()
		},
	}
	root.SetVersionTemplate("rl version {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&g.logLevel, "log-level", "warn", "log messages at this level or above: debug, info, warn, error")
	pf.StringVar(&g.root, "root", "", "storage root for persistent container data (default ~/.local/share/rl, or root in ~/.config/rl/rl.conf)")
	g.register(pf)
	pf.StringVar(&g.runRoot, "runroot", "", "run root for volatile state (default $XDG_RUNTIME_DIR/rl, or runroot in ~/.config/rl/rl.conf)")
	root.AddCommand(newRunCommand(g, code), newPullCommand(g), newImagesCommand(g), newRmiCommand(g), newTagCommand(g), newUntagCommand(g),
		newImageCommand(g, code), newSaveCommand(g), newLoadCommand(g),
		newImportCommand(g), newLoginCommand(g), newLogoutCommand(g), newInfoCommand(g), newPortCommand(g), newStatsCommand(g), newVersionCommand(),
		newCreateCommand(g), newStartCommand(g, code), newStopCommand(g), newRestartCommand(g), newKillCommand(g),
		newWaitCommand(g), newRmCommand(g), newContainerCommand(g, code, full), newPsCommand(g), newInspectCommand(g), newLogsCommand(g), newExecCommand(g, code), newPodCommand(g, code), newTopCommand(g),
		newVolumeCommand(g, code), newNetworkCommand(g, code))
	root.AddCommand(newKubeCommand(g)...)
	root.AddCommand(newDoctorCommand(g, code))
	rejectUnknown(root)
	return root
}

// printError prints err as the one line rl promises: messages from
// libraries that span lines (a pull tried on several registries) are
// joined with "; ".
func printError(err error) {
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	fmt.Fprintln(os.Stderr, "rl: "+strings.Join(lines, "; ")+hintSuffix(err))
}

// hintSuffix is " (hint: ...)" for an error with a known cause, else "".
func hintSuffix(err error) string {
	if h := hint(err); h != "" {
		return " (hint: " + h + ")"
	}
	return ""
}

// setupLogging configures log/slog for the libraries: one plain line per
// record on stderr.
func setupLogging(level string) error {
	var l slog.Level
	if alias, ok := podmanLogLevels[level]; ok {
		level = alias
	}
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("invalid --log-level %q: use debug, info, warn or error", level)
	}
	slog.SetDefault(slog.New(&lineHandler{level: l}))
	return nil
}

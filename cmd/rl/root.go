package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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
	complete := completing(args)
	named := args
	if complete {
		named = nil // completion lists every command
	}
	root := newRootCommand(g, &code, named)
	if complete {
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

// newRootCommand is rl's command tree for the command line args: of the
// top-level commands, only the one that args name when they name one
// (registering every command's flags would be most of what a start of rl
// spends on its command line), else, and for nil args, all of them (help,
// completion, an unknown command's suggestions, the man pages).
func newRootCommand(g *globalOptions, code *int, args []string) *cobra.Command {
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
	all := topCommands(g, code)
	word := commandWord(pf, args)
	i := slices.IndexFunc(all, func(t topCommand) bool { return slices.Contains(t.names, word) })
	if i >= 0 {
		all = all[i : i+1]
	}
	for _, t := range all {
		root.AddCommand(t.build()...)
	}
	rejectUnknown(root)
	return root
}

// topCommand is a top-level command (or, for kube, the commands of one
// constructor), built only when needed.
type topCommand struct {
	names []string // the first words of their Use, and their aliases
	build func() []*cobra.Command
}

// topCommands are rl's top-level commands.
func topCommands(g *globalOptions, code *int) []topCommand {
	one := func(names string, build func() *cobra.Command) topCommand {
		return topCommand{strings.Fields(names), func() []*cobra.Command { return []*cobra.Command{build()} }}
	}
	return []topCommand{
		one("run", func() *cobra.Command { return newRunCommand(g, code) }),
		one("pull", func() *cobra.Command { return newPullCommand(g) }),
		one("images", func() *cobra.Command { return newImagesCommand(g) }),
		one("rmi", func() *cobra.Command { return newRmiCommand(g) }),
		one("tag", func() *cobra.Command { return newTagCommand(g) }),
		one("untag", func() *cobra.Command { return newUntagCommand(g) }),
		one("image", func() *cobra.Command { return newImageCommand(g, code) }),
		one("save", func() *cobra.Command { return newSaveCommand(g) }),
		one("load", func() *cobra.Command { return newLoadCommand(g) }),
		one("import", func() *cobra.Command { return newImportCommand(g) }),
		one("login", func() *cobra.Command { return newLoginCommand(g) }),
		one("logout", func() *cobra.Command { return newLogoutCommand(g) }),
		one("info", func() *cobra.Command { return newInfoCommand(g) }),
		one("port", func() *cobra.Command { return newPortCommand(g) }),
		one("stats", func() *cobra.Command { return newStatsCommand(g) }),
		one("version", newVersionCommand),
		one("create", func() *cobra.Command { return newCreateCommand(g) }),
		one("start", func() *cobra.Command { return newStartCommand(g, code) }),
		one("stop", func() *cobra.Command { return newStopCommand(g) }),
		one("restart", func() *cobra.Command { return newRestartCommand(g) }),
		one("kill", func() *cobra.Command { return newKillCommand(g) }),
		one("wait", func() *cobra.Command { return newWaitCommand(g) }),
		one("rm", func() *cobra.Command { return newRmCommand(g) }),
		one("container", func() *cobra.Command { return newContainerCommand(g, code) }),
		one("ps list ls", func() *cobra.Command { return newPsCommand(g) }),
		one("inspect", func() *cobra.Command { return newInspectCommand(g) }),
		one("logs", func() *cobra.Command { return newLogsCommand(g) }),
		one("exec", func() *cobra.Command { return newExecCommand(g, code) }),
		one("pod", func() *cobra.Command { return newPodCommand(g, code) }),
		one("top", func() *cobra.Command { return newTopCommand(g) }),
		one("volume", func() *cobra.Command { return newVolumeCommand(g, code) }),
		one("network", func() *cobra.Command { return newNetworkCommand(g, code) }),
		{[]string{"kube", "play", "generate"}, func() []*cobra.Command { return newKubeCommand(g) }},
		one("doctor", func() *cobra.Command { return newDoctorCommand(g, code) }),
	}
}

// commandWord is the first word of args that is neither a global flag
// nor a global flag's value: the command to run. It is "" where that is
// not plain (an unknown flag, --, no such word).
func commandWord(global *pflag.FlagSet, args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			return a
		}
		name, _, inline := strings.Cut(a, "=")
		var f *pflag.Flag
		switch {
		case strings.HasPrefix(name, "--"):
			f = global.Lookup(name[2:])
		case len(name) == 2:
			f = global.ShorthandLookup(name[1:])
		}
		if f == nil {
			return ""
		}
		if !inline && f.NoOptDefVal == "" {
			i++ // its value is the next word
		}
	}
	return ""
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

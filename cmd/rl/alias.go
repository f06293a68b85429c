package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
)

// The command groups rl container, rl image and rl pod: podman's names
// for the verbs that rl also has at the top (rl container rm is rl rm),
// and the exists checks, which only the groups have.

// renamed is cmd under the name use (its first word), the old name kept
// as an alias: rl image rm is rl rmi.
func renamed(cmd *cobra.Command, use string, aliases ...string) *cobra.Command {
	cmd.Use = use
	cmd.Aliases = aliases
	return cmd
}

// newContainerCommand is rl container.
func newContainerCommand(g *globalOptions, code *int) *cobra.Command {
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
	exists := existsCommand(g, code, "CONTAINER", "Exit 0 if the container exists, 1 if not; print nothing",
		func(ctx context.Context, e *rootless.Engine, ref string) error {
			_, err := e.Lookup(ctx, ref)
			return err
		})
	// podman's also looks at other tools' containers in its storage;
	// rl's store holds only rl's.
	exists.Flags().Bool("external", false, "accepted for podman compatibility: rl's store holds only rl's containers")
	cmd.AddCommand(exists,
		newRunCommand(g, code), newCreateCommand(g), newStartCommand(g, code), newStopCommand(g), newRestartCommand(g),
		newKillCommand(g), newWaitCommand(g), newRmCommand(g), newPsCommand(g), newKindInspectCommand(g, "container", "CONTAINER"),
		newLogsCommand(g), newExecCommand(g, code), newTopCommand(g), newPortCommand(g), newStatsCommand(g))
	return cmd
}

func newImageCommand(g *globalOptions, code *int) *cobra.Command {
	cmd := &cobra.Command{Use: "image", Short: "Manage images"}
	cmd.AddCommand(
		newKindInspectCommand(g, "image", "IMAGE"),
		existsCommand(g, code, "IMAGE", "Exit 0 if the image is in the store, 1 if not; print nothing",
			func(ctx context.Context, e *rootless.Engine, ref string) error {
				_, err := e.Images().Inspect(ctx, ref)
				return err
			}),
		renamed(newImagesCommand(g), "list [flags]", "ls"),
		renamed(newRmiCommand(g), "rm [flags] IMAGE..."),
		newPullCommand(g), newTagCommand(g), newUntagCommand(g), newSaveCommand(g), newLoadCommand(g), newImportCommand(g))
	return cmd
}

// existsCommand is rl container|image|pod exists: find's error decides
// the exit code (0 found, 1 not found, 125 rl failed), and nothing is
// printed unless rl fails, so that scripts may test it.
func existsCommand(g *globalOptions, code *int, what, short string, find func(context.Context, *rootless.Engine, string) error) *cobra.Command {
	return &cobra.Command{
		Use:   "exists " + what,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, _ *cobra.Command, args []string) error {
			err := find(ctx, e, args[0])
			if isMissing(err) {
				*code = 1
				return nil
			}
			return err
		}),
	}
}

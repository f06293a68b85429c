package main

import (
	"github.com/spf13/cobra"
)

// newNetworkCommand is the `rl network` group. rl has no user-defined
// networks yet, only the per-container modes of --network; prune, which
// removes the unused user-defined ones, so finds none, as podman's with
// only its default network, and prints nothing.
func newNetworkCommand(_ *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "network", Short: "Manage networks"}
	prune := &cobra.Command{
		Use:   "prune [flags]",
		Short: "Remove the networks that no container uses (rl has no user-defined networks yet)",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return nil },
	}
	prune.Flags().BoolP("force", "f", false, "do not ask for confirmation")
	prune.Flags().StringArray("filter", nil, "accepted for podman compatibility: there is nothing to filter")
	cmd.AddCommand(prune)
	return cmd
}

package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
)

func newPortCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "port CONTAINER [PORT[/PROTO]]",
		Short: "List a container's published ports, or the host address of one",
		Args:  cobra.RangeArgs(1, 2),
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, args []string) error {
			st, err := e.Lookup(ctx, args[0])
			if err != nil {
				return err
			}
			want := ""
			if len(args) == 2 {
				want = args[1]
				if !strings.Contains(want, "/") {
					want += "/tcp"
				}
			}
			found := false
			for _, p := range st.Ports {
				if want != "" && fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto) != want {
					continue
				}
				found = true
				if want != "" {
					// docker prints just the host side for one port.
					_, host, _ := strings.Cut(p.String(), " -> ")
					fmt.Fprintln(c.OutOrStdout(), host)
					continue
				}
				fmt.Fprintln(c.OutOrStdout(), p)
			}
			if want != "" && !found {
				return fmt.Errorf("failed to find published port %q", want)
			}
			return nil
		}),
	}
}

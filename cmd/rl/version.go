package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// versionReport is podman version's record: {{.Client.Version}}.
type versionReport struct {
	Client rootless.VersionInfo `json:"Client"`
}

func newVersionCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the rl version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			out := c.OutOrStdout()
			r := versionReport{Client: rootless.NewVersionInfo(version)}
			switch format {
			case "":
				fmt.Fprintf(out, "rl version %s\ngo: %s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return nil
			case "json":
				return printJSON(out, r, "  ")
			}
			return printTemplate(out, format, []versionReport{r})
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "json, or a Go template (e.g. '{{.Client.Version}}')")
	return cmd
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless"
)

func newInfoCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "info [flags]",
		Short: "Show what rl uses on this machine, and what is missing",
		Args:  cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			hs, err := g.hostSettings()
			if err != nil {
				return err
			}
			info := e.Info(ctx, hs)
			out := c.OutOrStdout()
			switch format {
			case "":
				return printMachine(out, info.RL)
			case "json":
				return printJSON(out, info, "  ")
			}
			return printTemplate(out, format, []rootless.Info{info})
		}),
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "json, or a Go template over podman's fields (e.g. '{{.Host.OCIRuntime.Name}}'); default: rl's table")
	return cmd
}

// hostSettings are the engine-wide choices of the global flags, then
// containers.conf, then what rl finds.
func (g *globalOptions) hostSettings() (rootless.HostSettings, error) {
	conf, err := loadContainersConf()
	if err != nil {
		return rootless.HostSettings{}, err
	}
	hs := rootless.HostSettings{
		CgroupManager: g.cgroupManager, LogDriver: conf.Containers.LogDriver,
		// rl records no events: whatever --events-backend or
		// events_logger say, there are none.
		EventLogger: "none", Version: version,
	}
	if hs.CgroupManager == "" {
		hs.CgroupManager = conf.Engine.CgroupManager
	}
	if hs.CgroupManager == "" {
		hs.CgroupManager = cgroupsd.Default()
	}
	if hs.LogDriver == "" {
		hs.LogDriver = "k8s-file"
	}
	return hs, nil
}

// printMachine is rl info's table: rl's own account of the machine.
func printMachine(out io.Writer, m rootless.Machine) error {
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	for _, row := range [][2]string{
		{"kernel", m.Kernel}, {"rootless", fmt.Sprint(m.Rootless)},
		{"uid map", m.UIDMap}, {"gid map", m.GIDMap}, {"overlay", m.Overlay},
		{"network", m.Network}, {"cgroups", m.Cgroups},
		{"root", m.Root}, {"run root", m.RunRoot}, {"seccomp", m.Seccomp},
	} {
		fmt.Fprintf(w, "%s:\t%s\n", row[0], row[1])
	}
	for _, h := range m.Helpers {
		fmt.Fprintf(w, "helper:\t%s\n", h)
	}
	for _, warn := range m.Warnings {
		fmt.Fprintf(w, "warning:\t%s\n", warn)
	}
	return w.Flush()
}

// printJSON prints v as indented JSON, without HTML escapes.
func printJSON(out io.Writer, v any, indent string) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// checkJSONFormat accepts the --format of commands that print a table or,
// with json, JSON.
func checkJSONFormat(format string) error {
	if format != "" && format != "json" {
		return fmt.Errorf("invalid --format %q: use json, or leave it unset", format)
	}
	return nil
}

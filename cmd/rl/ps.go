package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/store"
)

// psRow is one container as rl ps shows it; --format templates use its
// field names, as docker's do ({{.Names}}, {{.Status}}).
type psRow struct {
	ID         string `json:"Id"`
	Image      string `json:"Image"`
	Command    string `json:"Command"`
	CreatedAt  string `json:"CreatedAt"`
	RunningFor string `json:"RunningFor"`
	Status     string `json:"Status"`
	State      string `json:"State"`
	ExitCode   int    `json:"ExitCode"`
	Ports      string `json:"Ports"`
	Names      string `json:"Names"`
	Pod        string `json:"Pod,omitempty"`
}

func newPsCommand(g *globalOptions) *cobra.Command {
	var all, quiet, noTrunc bool
	var filters []string
	var format string
	cmd := &cobra.Command{
		Use:     "ps [flags]",
		Aliases: []string{"list", "ls"},
		Short:   "List containers (running ones unless -a)",
		Args:    cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			f, err := parseFilter(filters)
			if err != nil {
				return err
			}
			states, err := e.Containers(ctx, f, all)
			if err != nil {
				return err
			}
			rows := make([]psRow, 0, len(states))
			for _, st := range states {
				rows = append(rows, newPsRow(st, noTrunc))
			}
			return printPs(c.OutOrStdout(), rows, format, quiet)
		}),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, "list every container, not only running ones")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print only the ids")
	fl.BoolVar(&noTrunc, "no-trunc", false, "do not shorten ids and commands")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "show only containers that match: name=REGEX, id=PREFIX, status=STATUS, ancestor=IMAGE, health=STATE, pod=POD")
	fl.StringVar(&format, "format", "", "json, or a Go template over the columns (e.g. '{{.Names}} {{.Status}}')")
	return cmd
}

// parseFilter parses the --filter flags into the engine's filter
// (store.ParseFilter), naming the flag in its errors.
func parseFilter(filters []string) (store.Filter, error) {
	f, err := store.ParseFilter(filters)
	if fe, ok := errors.AsType[*store.FilterError](err); ok {
		return f, fmt.Errorf("invalid --filter %q: %w", fe.Expr, fe.Err)
	}
	return f, err
}

func newPsRow(st store.State, noTrunc bool) psRow {
	r := psRow{ID: st.ID, Image: st.ImageName, State: st.Status, ExitCode: st.ExitCode, Names: st.Name, Pod: st.Pod}
	if r.Image == "" {
		r.Image = st.Image // an image named by id, or a record of rl before ImageName
	}
	if r.Image == "" {
		r.Image = st.Rootfs
	}
	r.Command = strings.Join(st.Command, " ")
	if !noTrunc {
		r.ID = st.ID[:12]
		if len(r.Command) > 20 {
			r.Command = r.Command[:19] + "…"
		}
	}
	r.CreatedAt = st.Created.Format("2006-01-02 15:04:05 -0700 MST")
	r.RunningFor = units.HumanDuration(time.Since(st.Created)) + " ago"
	switch st.Status {
	case store.StatusRunning:
		r.Status = "Up " + units.HumanDuration(time.Since(st.Started))
		if st.Health != "" {
			r.Status += " (" + st.Health + ")"
		}
	case store.StatusExited:
		code := fmt.Sprint(st.ExitCode)
		if st.ExitCode < 0 {
			code = "unknown"
		}
		r.Status = fmt.Sprintf("Exited (%s) %s ago", code, units.HumanDuration(time.Since(st.Finished)))
		if st.Finished.IsZero() {
			r.Status = fmt.Sprintf("Exited (%s)", code)
		}
	case store.StatusRestarting:
		r.Status = fmt.Sprintf("Restarting (%d) %s ago", st.ExitCode, units.HumanDuration(time.Since(st.Finished)))
	default:
		r.Status = "Created"
	}
	if st.Status == store.StatusRunning {
		var ports []string
		for _, p := range st.Ports {
			host := p.HostIP
			if host == "" {
				host = "0.0.0.0"
			}
			ports = append(ports, fmt.Sprintf("%s:%d->%d/%s", host, p.HostPort, p.ContainerPort, p.Proto))
		}
		r.Ports = strings.Join(ports, ", ")
	}
	return r
}

func printPs(w io.Writer, rows []psRow, format string, quiet bool) error {
	switch {
	case quiet:
		for _, r := range rows {
			fmt.Fprintln(w, r.ID)
		}
		return nil
	case format == "json":
		if rows == nil {
			rows = []psRow{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case format != "":
		return printTemplate(w, format, rows)
	}
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%q\t%s\t%s\t%s\t%s\n", r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names)
	}
	return tw.Flush()
}

package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/store"
)

// psRow is one container as rl ps shows it; --format templates use its
// field names, podman's ({{.Names}}, {{.Status}}), and --format json its
// JSON.
type psRow struct {
	ID         string `json:"Id"`
	Image      string `json:"Image"`
	ImageID    string `json:"ImageID"`
	Command    string `json:"Command"`
	CreatedAt  string `json:"CreatedAt"`
	RunningFor string `json:"RunningFor"`
	Status     string `json:"Status"`
	State      string `json:"State"`
	ExitCode   int    `json:"ExitCode"`
	Exited     bool   `json:"Exited"`
	Ports      string `json:"Ports"`
	Names      string `json:"Names"`
	Pid        int    `json:"Pid"`
	// Pod is the pod's id, PodName its name ("" outside a pod).
	Pod     string            `json:"Pod,omitempty"`
	PodName string            `json:"PodName,omitempty"`
	IsInfra bool              `json:"IsInfra"`
	Labels  map[string]string `json:"Labels"`
	// created is for --sort.
	created int64
}

// psView is a row as a --format template sees it: Labels as k=v pairs,
// {{.Label "k"}} one of them, {{.CreatedHuman}} podman's other name of
// RunningFor.
type psView struct {
	psRow
	Labels       string
	CreatedHuman string
}

// Label is the value of the container's label key, or "".
func (v psView) Label(key string) string { return v.psRow.Labels[key] }

// psHeaders are the table columns whose names are not their fields'.
var psHeaders = map[string]string{"ID": "CONTAINER ID", "RunningFor": "CREATED", "CreatedHuman": "CREATED", "CreatedAt": "CREATED AT", "PodName": "POD NAME"}

// psSorts are ps --sort's keys: each compares two rows.
var psSorts = map[string]func(a, b psRow) int{
	"command":    func(a, b psRow) int { return strings.Compare(a.Command, b.Command) },
	"created":    func(a, b psRow) int { return cmp.Compare(a.created, b.created) },
	"id":         func(a, b psRow) int { return strings.Compare(a.ID, b.ID) },
	"image":      func(a, b psRow) int { return strings.Compare(a.Image, b.Image) },
	"names":      func(a, b psRow) int { return strings.Compare(a.Names, b.Names) },
	"runningfor": func(a, b psRow) int { return cmp.Compare(b.created, a.created) },
	"status":     func(a, b psRow) int { return strings.Compare(a.Status, b.Status) },
}

func newPsCommand(g *globalOptions) *cobra.Command {
	var all, quiet, noTrunc, noHeading bool
	var filters []string
	var format, sortBy string
	last := -1
	cmd := &cobra.Command{
		Use:     "ps [flags]",
		Aliases: []string{"list", "ls"},
		Short:   "List containers (running ones unless -a)",
		Args:    cobra.NoArgs,
		RunE: g.withEngine(func(ctx context.Context, e *rootless.Engine, c *cobra.Command, _ []string) error {
			less, ok := psSorts[sortBy]
			if sortBy != "" && !ok {
				return fmt.Errorf("invalid --sort %q: use %s", sortBy, strings.Join(slices.Sorted(maps.Keys(psSorts)), ", "))
			}
			f, err := parseFilter(filters)
			if err != nil {
				return err
			}
			states, err := e.Containers(ctx, f, all || last >= 0)
			if err != nil {
				return err
			}
			if last >= 0 && last < len(states) {
				states = states[:last] // newest first
			}
			if format != "" && !f.Has("label") { // a label filter has read them
				e.Store.ReadLabels(states)
			}
			rows := make([]psRow, 0, len(states))
			for _, st := range states {
				r := newPsRow(st, noTrunc)
				if shown := e.Store.ShownStatus(st); shown == store.StatusStopping {
					r.State, r.Status = shown, "Stopping"
				}
				r.IsInfra = e.Store.IsInfra(st)
				r.Labels = st.Labels
				rows = append(rows, r)
			}
			if ok {
				slices.SortStableFunc(rows, less)
			}
			// One write, rather than one for each cell of the table.
			out := bufio.NewWriter(c.OutOrStdout())
			err = printPs(out, rows, format, quiet, noHeading)
			return errors.Join(err, out.Flush())
		}),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, "list every container, not only running ones")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print only the ids")
	fl.BoolVar(&noTrunc, "no-trunc", false, "do not shorten ids and commands")
	fl.BoolVar(&noHeading, "noheading", false, "print no header row")
	fl.IntVarP(&last, "last", "n", -1, "list the N newest containers, whatever their state")
	fl.StringVar(&sortBy, "sort", "", "sort by command, created, id, image, names, runningfor or status (default: newest first)")
	// Podman also lists containers that other tools (buildah) made in
	// its storage; rl's store has only rl's.
	fl.Bool("external", false, "accepted for podman compatibility: rl's store holds only rl's containers")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "show only containers that match: name=REGEX, id=REGEX, status=STATUS, exited=CODE, label=KEY[=VALUE], ancestor=IMAGE, health=STATE, pod=POD")
	fl.StringVar(&format, "format", "", "json, or a Go template over the columns (e.g. '{{.Names}} {{.Status}}'; 'table ...' adds a header row)")
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
	r := psRow{ID: st.ID, Image: st.ImageName, ImageID: st.ImageID, State: st.Status, ExitCode: st.ExitCode, Names: st.Name,
		Pod: st.PodID, PodName: st.Pod, Exited: st.Status == store.StatusExited, created: st.Created.UnixNano()}
	if st.Active() {
		r.Pid = st.Pid
	}
	if r.Image == "" {
		r.Image = st.Image // an image named by id, or a record of rl before ImageName
	}
	if r.Image == "" {
		r.Image = st.Rootfs
	}
	r.Command = strings.Join(st.Command, " ")
	if !noTrunc {
		r.ID = st.ID[:12]
		r.Pod = shortID(r.Pod)
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

// shortID is the first 12 digits of id.
func shortID(id string) string { return id[:min(len(id), 12)] }

func printPs(w io.Writer, rows []psRow, format string, quiet, noHeading bool) error {
	switch {
	case quiet:
		for _, r := range rows {
			fmt.Fprintln(w, r.ID)
		}
		return nil
	case format == "json":
		return printJSONList(w, rows)
	case format != "":
		views := make([]psView, len(rows))
		for i, r := range rows {
			views[i] = psView{psRow: r, Labels: labelList(r.Labels), CreatedHuman: r.RunningFor}
		}
		return printRows(w, format, views, psHeaders, noHeading)
	}
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	if !noHeading {
		fmt.Fprintln(tw, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES")
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names)
	}
	return tw.Flush()
}

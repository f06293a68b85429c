package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"text/template"
)

// The --format of the listings (rl ps, pod ps, images), podman's: a Go
// template executed on each row's Go value, so that methods work
// ({{.Label "k"}}), with podman's functions (templateFuncs); "table"
// before it aligns the columns and adds a header row of the fields' names
// (tableHeader); "json" is the rows as one JSON array.

// printRows prints rows through the template format. headers name the
// columns of a table whose names are not their fields' in capitals
// (ID: CONTAINER ID); noHeading leaves the header row out.
func printRows[T any](w io.Writer, format string, rows []T, headers map[string]string, noHeading bool) error {
	table := strings.HasPrefix(format, "table")
	if table {
		format = strings.TrimSpace(strings.TrimPrefix(format, "table"))
	}
	// podman takes \t and \n as written in a shell's single quotes.
	format = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(format)
	t, err := template.New("format").Funcs(templateFuncs).Parse(format)
	if err != nil {
		return fmt.Errorf("invalid --format: %w", err)
	}
	out := w
	var tw *tabwriter.Writer
	if table {
		tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		out = tw
		if !noHeading {
			fmt.Fprintln(out, tableHeader(format, headers))
		}
	}
	for _, r := range rows {
		if err := t.Execute(out, r); err != nil {
			return fmt.Errorf("invalid --format: %w", err)
		}
		fmt.Fprintln(out)
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}

// labelList is labels as a template shows them: k=v pairs, sorted and
// joined by commas (podman's {{.Labels}}).
func labelList(labels map[string]string) string {
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		pairs = append(pairs, k+"="+labels[k])
	}
	return strings.Join(pairs, ",")
}

// printJSONList prints rows as indented JSON, an empty list as [].
func printJSONList[T any](w io.Writer, rows []T) error {
	if rows == nil {
		rows = []T{}
	}
	return printJSON(w, rows, "  ")
}

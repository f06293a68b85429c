package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"text/template"
	"unicode"
)

// The --format of the listings (rl ps, pod ps, images), podman's: a Go
// template executed on each row's Go value, so that methods work
// ({{.Label "k"}}); "table" before it aligns the columns and adds a header
// row of the fields' names; "json" is the rows as one JSON array.

// listFuncs are the functions a listing's template may call, podman's.
var listFuncs = template.FuncMap{
	"json":  func(v any) (string, error) { b, err := json.Marshal(v); return string(b), err },
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"join":  strings.Join,
}

// fieldAction is one {{...}} of a template, with the first field it
// names.
var fieldAction = regexp.MustCompile(`\{\{[^}]*?\.(\w+)[^}]*\}\}|\{\{[^}]*\}\}`)

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
	t, err := template.New("format").Funcs(listFuncs).Parse(format)
	if err != nil {
		return fmt.Errorf("invalid --format: %w", err)
	}
	out := w
	var tw *tabwriter.Writer
	if table {
		tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		out = tw
		if !noHeading {
			fmt.Fprintln(out, headerRow(format, headers))
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

// headerRow is format with each field replaced by its column's name.
func headerRow(format string, headers map[string]string) string {
	return fieldAction.ReplaceAllStringFunc(format, func(action string) string {
		m := fieldAction.FindStringSubmatch(action)
		if m[1] == "" {
			return ""
		}
		if h, ok := headers[m[1]]; ok {
			return h
		}
		return columnName(m[1])
	})
}

// columnName is a field's name as a column's: PodName is POD NAME.
func columnName(field string) string {
	var b strings.Builder
	for i, r := range field {
		if i > 0 && unicode.IsUpper(r) && !unicode.IsUpper(rune(field[i-1])) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
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

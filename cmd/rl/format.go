package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
	"text/template"
	"unicode"
)

// templateFuncs are podman's template functions (containers/common's
// report.DefaultFuncs), so that podman's --format strings work unchanged.
var templateFuncs = template.FuncMap{
	"join": strings.Join,
	"json": func(v any) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		return strings.TrimSpace(buf.String())
	},
	"lower": strings.ToLower,
	"pad": func(s string, prefix, suffix int) string {
		if s == "" {
			return s
		}
		return strings.Repeat(" ", prefix) + s + strings.Repeat(" ", suffix)
	},
	"split": strings.Split,
	"title": func(s string) string {
		prev := ' '
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(prev) {
				r = unicode.ToTitle(r)
			}
			prev = r
			return r
		}, s)
	},
	"truncate": func(s string, n int) string {
		if len(s) < n {
			return s
		}
		return s[:n]
	},
	"upper": strings.ToUpper,
}

// headerer is a row type whose table headers differ from its upper-cased
// field names (ps: "CONTAINER ID" for .ID).
type headerer interface {
	Headers() map[string]string
}

// outputFormat is a parsed --format: podman's rules (NormalizeFormat):
// "table " before the template prints a header row and aligns columns
// separated by spaces or \t; \t and \n are escapes; each item ends with a
// newline.
type outputFormat struct {
	tmpl  *template.Template
	table bool
	text  string
}

func parseFormat(format string) (outputFormat, error) {
	f := outputFormat{table: strings.HasPrefix(format, "table ")}
	if f.table {
		format = strings.NewReplacer("table ", "", `\t`, "\t", " ", "\t", `\n`, "\n").Replace(format)
	} else {
		format = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(format)
	}
	if !strings.HasSuffix(format, "\n") {
		format += "\n"
	}
	f.text = format
	var err error
	if f.tmpl, err = template.New("format").Funcs(templateFuncs).Parse(format); err != nil {
		return f, fmt.Errorf("invalid --format: %w", err)
	}
	return f, nil
}

// printTemplate prints each item through the Go template format, as
// podman does: on the item's Go value ({{.ID}}, {{.Host.OCIRuntime.Name}},
// methods such as {{.Label "k"}}); a field that only the JSON form names
// ({{.Id}}, as docker's scripts write it) is looked up there.
func printTemplate[T any](w io.Writer, format string, items []T) error {
	f, err := parseFormat(format)
	if err != nil {
		return err
	}
	out := w
	var tw *tabwriter.Writer
	if f.table {
		tw = tabwriter.NewWriter(w, 12, 2, 2, ' ', 0)
		out = tw
		var zero T
		var overrides map[string]string
		if h, ok := any(zero).(headerer); ok {
			overrides = h.Headers()
		}
		fmt.Fprint(out, tableHeader(f.text, overrides))
	}
	for _, it := range items {
		b, err := f.execute(it)
		if err != nil {
			return err
		}
		_, _ = out.Write(b)
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}

// execute runs the template on v, or else on v's JSON form.
func (f outputFormat) execute(v any) ([]byte, error) {
	var buf bytes.Buffer
	err := f.tmpl.Execute(&buf, v)
	if err == nil {
		return buf.Bytes(), nil
	}
	var generic any
	b, jerr := json.Marshal(v)
	if jerr == nil {
		jerr = json.Unmarshal(b, &generic)
	}
	if jerr == nil {
		buf.Reset()
		if f.tmpl.Execute(&buf, generic) == nil {
			return buf.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("invalid --format: %w", err)
}

// action is one {{...}} of a template; its last .Field names the column.
var (
	action    = regexp.MustCompile(`\{\{-?[^}]*\}\}`)
	fieldPath = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*`)
)

// tableHeader is the header row of a table template: each action becomes
// its field's name, upper-cased and split at word boundaries ("RunningFor":
// "RUNNING FOR"), or the row type's own header for it.
func tableHeader(text string, overrides map[string]string) string {
	return action.ReplaceAllStringFunc(text, func(a string) string {
		m := fieldPath.FindString(a)
		if m == "" {
			return ""
		}
		name := m[strings.LastIndex(m, ".")+1:]
		if h, ok := overrides[name]; ok {
			return strings.ToUpper(h)
		}
		return strings.ToUpper(strings.Join(splitCamel(name), " "))
	})
}

// splitCamel splits a Go identifier into words: "OCIRuntime" is "OCI",
// "Runtime"; "CreatedAt" is "Created", "At".
func splitCamel(s string) []string {
	r := []rune(s)
	var words []string
	start := 0
	for i := 1; i < len(r); i++ {
		lowerBefore := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
		acronymEnd := unicode.IsUpper(r[i-1]) && i+1 < len(r) && unicode.IsLower(r[i+1])
		if unicode.IsUpper(r[i]) && (lowerBefore || acronymEnd) {
			words = append(words, string(r[start:i]))
			start = i
		}
	}
	return append(words, string(r[start:]))
}

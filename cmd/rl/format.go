package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
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
	tmpl *template.Template
	// dual runs on dualForm, where a missing map key is a missing field.
	dual  *template.Template
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
	f.dual = template.Must(f.tmpl.Clone()).Option("missingkey=error")
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

// execute runs the template on v, or else on v's fields under their
// JSON names too (dualForm).
func (f outputFormat) execute(v any) ([]byte, error) {
	var buf bytes.Buffer
	err := f.tmpl.Execute(&buf, v)
	if err == nil {
		return buf.Bytes(), nil
	}
	buf.Reset()
	if f.dual.Execute(&buf, dualForm(reflect.ValueOf(v))) == nil {
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("invalid --format: %w", err)
}

// dualForm is v with each struct made a map under both its fields' Go
// names and their JSON names: {{.ID}} and {{.Id}} both work, as do
// {{.State.RestartCount}} beside {{.State.Restarts}}. Values that encode
// themselves (time.Time) stay as they are.
func dualForm(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type().Implements(reflect.TypeFor[json.Marshaler]()) || v.Type().Implements(reflect.TypeFor[fmt.Stringer]()) {
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return dualForm(v.Elem())
	case reflect.Struct:
		m := map[string]any{}
		addFields(m, v)
		return m
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return []any(nil)
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = dualForm(v.Index(i))
		}
		return out
	case reflect.Map:
		m := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			m[fmt.Sprint(it.Key().Interface())] = dualForm(it.Value())
		}
		return m
	}
	return v.Interface()
}

// addFields puts struct v's exported fields into m, those of embedded
// structs as promoted.
func addFields(m map[string]any, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			addFields(m, v.Field(i))
			continue
		}
		val := dualForm(v.Field(i))
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[name] = val
		}
		m[sf.Name] = val
	}
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

package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

type fmtRow struct {
	ID    string `json:"Id"`
	Names string
	State struct {
		Restarts int `json:"RestartCount"`
	}
	Labels map[string]string
}

func (fmtRow) Headers() map[string]string { return map[string]string{"ID": "container id"} }

func TestPrintTemplate(t *testing.T) {
	rows := []fmtRow{{ID: "abc", Names: "one", Labels: map[string]string{"k": "v"}}, {ID: "def", Names: "two"}}
	rows[1].State.Restarts = 3
	for _, tc := range []struct{ format, want string }{
		{"{{.ID}} {{.Id}}", "abc abc\ndef def\n"},
		{"{{.State.RestartCount}}/{{.State.Restarts}}", "0/0\n3/3\n"},
		{`{{.Names}}\t{{upper .Names}}`, "one\tONE\ntwo\tTWO\n"},
		{"{{truncate .Names 2}}|{{json .Labels}}", "on|{\"k\":\"v\"}\ntw|null\n"},
		{"table {{.ID}} {{.Names}}", "CONTAINER ID  NAMES\nabc           one\ndef           two\n"},
		{"{{.Names}}\n", "one\ntwo\n"},
	} {
		var b bytes.Buffer
		if err := printTemplate(&b, tc.format, rows); err != nil || b.String() != tc.want {
			t.Errorf("%q: got %q, %v; want %q", tc.format, b.String(), err, tc.want)
		}
	}
	for _, bad := range []string{"{{.Nope}}", "{{.ID", "{{.State.Nope}}"} {
		var b bytes.Buffer
		if err := printTemplate(&b, bad, rows); err == nil || !strings.HasPrefix(err.Error(), "invalid --format") {
			t.Errorf("%q: got %v", bad, err)
		}
	}
}

func TestSplitCamel(t *testing.T) {
	for in, want := range map[string][]string{
		"OCIRuntime": {"OCI", "Runtime"}, "CreatedAt": {"Created", "At"}, "ID": {"ID"}, "Names": {"Names"},
		"GraphDriverName": {"Graph", "Driver", "Name"},
	} {
		if got := splitCamel(in); !slices.Equal(got, want) {
			t.Errorf("%s: got %q", in, got)
		}
	}
}

func FuzzPrintTemplate(f *testing.F) {
	for _, s := range []string{"{{.ID}}", "table {{.Names}}\\t{{.Id}}", "{{json .}}", "{{range .Labels}}{{.}}{{end}}", "{{.State.RestartCount}}", "{{"} {
		f.Add(s)
	}
	rows := []fmtRow{{ID: "abc", Names: "one", Labels: map[string]string{"k": "v"}}}
	f.Fuzz(func(t *testing.T, format string) {
		var b bytes.Buffer
		_ = printTemplate(&b, format, rows)
	})
}

package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestPrintRows(t *testing.T) {
	rows := []psView{
		{psRow: psRow{ID: "abc", Names: "web", Labels: map[string]string{"b": "2", "a": "1"}}, Labels: "a=1,b=2"},
		{psRow: psRow{ID: "def", Names: "db"}},
	}
	for _, tt := range []struct {
		format    string
		noHeading bool
		want      string
	}{
		{`{{.Names}} {{.Label "a"}}`, false, "web 1\ndb \n"},
		{`{{json .Labels}}`, false, "\"a=1,b=2\"\n\"\"\n"},
		{`table {{.ID}}\t{{.Names}}`, false, "CONTAINER ID  NAMES\nabc           web\ndef           db\n"},
		{`table {{.ID}}\t{{.PodName}}`, true, "abc  \ndef  \n"},
		{`table {{ .RunningFor }} {{upper .Names}}`, false, "CREATED NAMES\n WEB\n DB\n"},
	} {
		var b bytes.Buffer
		if err := printRows(&b, tt.format, rows, psHeaders, tt.noHeading); err != nil {
			t.Fatalf("%q: %v", tt.format, err)
		}
		if got := b.String(); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.format, got, tt.want)
		}
	}
	var b bytes.Buffer
	for _, bad := range []string{"{{.Nope}}", "{{.Names", `{{.Label}}`} {
		if err := printRows(&b, bad, rows, psHeaders, false); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestListingHeaders(t *testing.T) {
	for format, want := range map[string]string{
		"{{.ID}}\t{{.Names}}":              "CONTAINER ID\tNAMES",
		"{{ .PodName }} {{json .Labels}}":  "POD NAME LABELS",
		"{{.NumberOfContainers}}":          "NUMBER OF CONTAINERS",
		"{{if .Names}}x{{end}} {{.State}}": "NAMESx STATE",
	} {
		if got := tableHeader(format, psHeaders); got != want {
			t.Errorf("%q: %q, want %q", format, got, want)
		}
	}
}

func TestParseLabels(t *testing.T) {
	got, err := parseLabels([]string{"a=1", "b=", "c=x=y"})
	if err != nil || got["a"] != "1" || got["b"] != "" || got["c"] != "x=y" || len(got) != 3 {
		t.Errorf("%v, %v", got, err)
	}
	for _, bad := range []string{"nokey", "=v", ""} {
		if _, err := parseLabels([]string{bad}); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if got, err := parseLabels(nil); got != nil || err != nil {
		t.Errorf("nil: %v, %v", got, err)
	}
}

func FuzzParseLabels(f *testing.F) {
	for _, s := range []string{"a=1", "nokey", "=v", "k==", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseLabels([]string{s})
		if err != nil {
			return
		}
		k, v, _ := strings.Cut(s, "=")
		if got[k] != v || len(got) != 1 {
			t.Errorf("%q: %v", s, got)
		}
	})
}

func TestParseKillSignal(t *testing.T) {
	for in, want := range map[string]int{"-1": 1, "-INT": 2, "FPE": 8, "-SIGUSR1": 10, "SIGUSR2": 12, "64": 64} {
		if got, err := parseKillSignal(in); err != nil || int(got) != want {
			t.Errorf("%q: %v, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"0", "-0", "SIGBADSIG", "-", "65", "-65", "99999999", "%%", " "} {
		if _, err := parseKillSignal(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestTargets(t *testing.T) {
	list := func() ([]string, error) { return []string{"x", "y"}, nil }
	all := targets{all: true}
	if got, err := all.refs(nil, list); err != nil || strings.Join(got, ",") != "x,y" {
		t.Errorf("--all: %v, %v", got, err)
	}
	if _, err := all.refs([]string{"a"}, list); err == nil {
		t.Error("--all with a name accepted")
	}
	var none targets
	if _, err := none.refs(nil, list); err == nil {
		t.Error("no names accepted")
	}
	missing := targets{ignore: true, cidFiles: []string{t.TempDir() + "/nosuch"}}
	if got, err := missing.refs(nil, list); err != nil || len(got) != 0 {
		t.Errorf("--ignore --cidfile missing: %v, %v", got, err)
	}
	missing.ignore = false
	if _, err := missing.refs(nil, list); err == nil {
		t.Error("a missing --cidfile accepted")
	}
}

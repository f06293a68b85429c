package doctor

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rl-containers/rl/rootless/store"
)

// TestIDsDocumented: every check has a section of its own in
// docs/troubleshooting.md, and every such section is a check.
func TestIDsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^### `([a-z0-9_.-]+)`$").FindAllStringSubmatch(string(b), -1) {
		documented = append(documented, m[1])
	}
	ids := IDs()
	slices.Sort(documented)
	slices.Sort(ids)
	if !slices.Equal(ids, documented) {
		t.Errorf("checks %v\ndocumented %v", ids, documented)
	}
	if len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Errorf("duplicate check ids: %v", ids)
	}
}

func TestHealthyAndScript(t *testing.T) {
	results := []Result{
		{ID: "a.ok", Status: OK, Default: true},
		{ID: "b.ping", Status: Fail, Fix: "sysctl -w x=1", Root: true},
		{ID: "c.advice", Status: Warn, Fix: "boot with\nsystemd", Root: true, Manual: true},
		{ID: "d.user", Status: Fail, Fix: "rl --root /x"},
	}
	if !Healthy(results) {
		t.Error("a failed check that the defaults do not need made it unhealthy")
	}
	if Healthy(append(results, Result{ID: "e", Status: Fail, Default: true})) {
		t.Error("a failed default need left it healthy")
	}
	var b strings.Builder
	if err := WriteScript(&b, results, "alice"); err != nil {
		t.Fatal(err)
	}
	script := b.String()
	for _, want := range []string{"#!/bin/sh\n", "for alice", "\n# b.ping (fail): \nsysctl -w x=1\n", "\n# by hand: boot with systemd\n"} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	if strings.Contains(script, "rl --root") {
		t.Errorf("script has a fix that needs no root:\n%s", script)
	}
	if got := Summary(results); got != "1 ok, 1 warn, 2 fail, 0 n/a" {
		t.Errorf("Summary = %q", got)
	}
}

// TestMain lets the test binary be the probe, as rl is: the namespace
// probe re-executes /proc/self/exe.
func TestMain(m *testing.M) {
	MaybeRunProbe()
	os.Exit(m.Run())
}

// TestRun runs every check on this machine, concurrently: each gives a
// status, and a fix where it is not ok.
func TestRun(t *testing.T) {
	h := NewHost(t.Context(), store.Store{Root: t.TempDir(), RunRoot: t.TempDir()}, nil)
	results := Run(h)
	if len(results) != len(IDs()) {
		t.Fatalf("%d results for %d checks", len(results), len(IDs()))
	}
	for i, r := range results {
		if r.ID != IDs()[i] || r.Found == "" {
			t.Errorf("result %d: %+v", i, r)
		}
		if notOK := r.Status == Warn || r.Status == Fail; notOK != (r.Fix != "") {
			t.Errorf("%s: %s with fix %q", r.ID, r.Status, r.Fix)
		}
	}
	if entries, _ := os.ReadDir(h.Store.Root); len(entries) != 0 {
		t.Errorf("the probes left %v in the store", entries)
	}
}

// TestResultJSON: the JSON fields are the ones docs/troubleshooting.md
// promises scripts.
func TestResultJSON(t *testing.T) {
	b, err := json.Marshal(Result{ID: "a.b", Status: Fail, Found: "f", Breaks: "b", Fix: "x", Root: true, Manual: true, Default: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"a.b","status":"fail","found":"f","breaks":"b","fix":"x","root":true,"manual":true,"default":true}`
	if string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	doc, err := os.ReadFile("../../docs/troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), `[{"id", "status", "found", "breaks", "fix", "root", "manual", "default"}, ...]`) {
		t.Error("docs/troubleshooting.md does not list the JSON fields")
	}
}

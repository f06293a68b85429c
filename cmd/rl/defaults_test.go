package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless/containersconf"
)

func confOf(t *testing.T, text string) *containersconf.Config {
	t.Helper()
	p := filepath.Join(t.TempDir(), "containers.conf")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := containersconf.Load([]string{p}, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestApplyContainersConfFlagsWin(t *testing.T) {
	conf := confOf(t, `[containers]
env = ["A=conf"]
read_only = true
userns = "keep-id"
default_ulimits = ["nofile=100:200", "nproc=10"]
log_size_max = 4096
default_capabilities = ["CHOWN", "NET_RAW"]
`)
	f := &opts.Run{Env: []string{"A=flag"}, Process: opts.Process{Ulimits: []string{"nofile=5:5"}}, Security: opts.Security{CapDrop: []string{"net_raw"}}}
	changed := func(flag string) bool { return flag == "read-only" }
	if err := applyContainersConf(conf, f, changed); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Env, []string{"A=flag"}) || f.ReadOnly || f.Userns != "keep-id" {
		t.Errorf("env %q, read-only %v, userns %q", f.Env, f.ReadOnly, f.Userns)
	}
	if !slices.Equal(f.Ulimits, []string{"nproc=10", "nofile=5:5"}) || !slices.Equal(f.LogOpts, []string{"max-size=4096"}) {
		t.Errorf("ulimits %q, log opts %q", f.Ulimits, f.LogOpts)
	}
	if slices.Contains(f.Security.CapAdd, "CAP_NET_RAW") || !slices.Contains(f.Security.CapDrop, "CAP_KILL") || slices.Contains(f.Security.CapDrop, "CAP_CHOWN") {
		t.Errorf("cap-add %q, cap-drop %q", f.Security.CapAdd, f.Security.CapDrop)
	}
}

func TestApplyContainersConfRefusesBadValues(t *testing.T) {
	for _, text := range []string{
		"[containers]\nuserns = \"sideways\"\n",
		"[containers]\ndns_servers = [\"not-an-ip\"]\n",
		"[containers]\ndefault_capabilities = [\"FLY\"]\n",
	} {
		conf := confOf(t, text)
		err := applyContainersConf(conf, &opts.Run{}, func(string) bool { return false })
		if err == nil || !strings.Contains(err.Error(), "containers.conf:2: containers.") {
			t.Errorf("%q: got %v", text, err)
		}
	}
}

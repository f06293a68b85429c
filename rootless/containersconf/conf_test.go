package containersconf

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func never(string) bool { return false }

func TestLoadMergesLaterFilesOverEarlier(t *testing.T) {
	a := write(t, "a.conf", "[containers]\nenv = [\"A=1\"]\npids_limit = 10\n[engine.volume_plugins]\nx = \"y\"\n[network]\nfoo = 1\n")
	b := write(t, "b.conf", "# override\n[containers]\nenv = [\"B=2\"]\nread_only = true\n")
	c, err := Load([]string{a, filepath.Join(t.TempDir(), "missing"), b}, never)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Containers.Env, []string{"B=2"}) || c.Containers.PidsLimit != 10 || !c.Containers.ReadOnly {
		t.Fatalf("got %+v", c.Containers)
	}
	if !c.Set("containers.env") || c.Set("containers.userns") {
		t.Fatal("Set is wrong")
	}
	if got := c.source("containers.read_only").String(); got != b+":4" {
		t.Fatalf("source %s", got)
	}
}

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"[containers]\npids_limit = \"many\"\n", ":2: containers.pids_limit: incompatible types"},
		{"[containers]\nenv = [\n", ":2: "},
		{"[containers]\n\nlog_driver = \"syslog\"\n", ":3: containers.log_driver: invalid value \"syslog\""},
		{"[containers]\ndefault_ulimits = [\"nofile=abc\"]\n", ":2: containers.default_ulimits: invalid ulimit \"nofile=abc\""},
		{"[engine]\ncgroup_manager = \"x\"\n", ":2: engine.cgroup_manager"},
		{"[engine]\nimage_default_transport = \"oci:\"\n", ":2: engine.image_default_transport"},
	} {
		p := write(t, "c.conf", tc.text)
		_, err := Load([]string{p}, never)
		if err == nil || !strings.Contains(err.Error(), p+tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: got %v, want %q", tc.text, err, p+tc.want)
		}
	}
	if _, err := Load([]string{"/nonexistent/c.conf"}, func(string) bool { return true }); err == nil {
		t.Error("a required missing file is not an error")
	}
}

func TestPaths(t *testing.T) {
	env := map[string]string{"HOME": "/h"}
	got := Paths(func(k string) string { return env[k] }, 1000)
	if got[len(got)-1] != "/h/.config/containers/containers.conf" || got[0] != "/usr/share/containers/containers.conf" {
		t.Fatalf("got %v", got)
	}
	env["CONTAINERS_CONF"], env["CONTAINERS_CONF_OVERRIDE"] = "/c", "/o"
	if got := Paths(func(k string) string { return env[k] }, 1000); !slices.Equal(got, []string{"/c", "/o"}) {
		t.Fatalf("got %v", got)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add("[containers]\nenv = [\"A=1\"]\n")
	f.Add("[engine]\ncgroup_manager = \"systemd\"\n[engine.runtimes]\nrunc = []\n")
	f.Add("[containers\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text string) {
		p := filepath.Join(dir, "f.conf")
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load([]string{p}, never); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error of more than one line: %q", err)
		}
	})
}

// BenchmarkLoadHost is what reading this machine's files costs a start.
func BenchmarkLoadHost(b *testing.B) {
	files := Paths(os.Getenv, 1000)
	for b.Loop() {
		if _, err := Load(files, never); err != nil {
			b.Fatal(err)
		}
	}
}

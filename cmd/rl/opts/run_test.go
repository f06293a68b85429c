package opts

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/userns"
)

func TestRunContainer(t *testing.T) {
	f := Run{
		Pull: image.PullMissing, Restart: "on-failure:2", Detach: true, Userns: "keep-id",
		Network:   Network{Publish: []string{"8080:80"}, DNS: []string{"1.1.1.1"}, AddHosts: []string{"db:10.0.2.5"}},
		Resources: Resources{Memory: "64m"}, CgroupManager: "cgroupfs", CgroupParent: "p", Limits: "best-effort",
		HealthCmd: "true", HealthInterval: 1e9, HealthRetries: 2, EntrypointSet: true, Entrypoint: "/bin/sh",
	}
	got, err := f.Container([]string{"img", "-c", "x"})
	if err != nil {
		t.Fatal(err)
	}
	want := config.Container{
		Image: "img", Command: []string{"-c", "x"}, Entrypoint: []string{"/bin/sh"}, EntrypointSet: true,
		Pull: image.PullMissing, Userns: userns.ModeKeepID,
		Net: config.Net{
			Mode: mustNetwork(t, ""), Ports: mustPublish(t, "8080:80"), DNS: []string{"1.1.1.1"}, AddHosts: []string{"db:10.0.2.5"},
		},
		Resources: cgroupsd.Resources{MemoryMax: 64 << 20},
		Cgroups:   cgroupsd.Options{Manager: cgroupsd.Cgroupfs, Parent: "p", BestEffort: true},
		Restart:   config.Restart{Name: "on-failure", Max: 2},
		Health:    config.Health{Cmd: "true", Interval: 1e9, Retries: 2},
		Process:   config.Process{Umask: 0o022},
		Log:       config.Log{Driver: config.LogK8sFile},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Container =\n%+v\nwant\n%+v", got, want)
	}
}

func mustNetwork(t *testing.T, s string) network.Mode {
	t.Helper()
	m, err := ParseNetwork(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustPublish(t *testing.T, s string) []network.PortMapping {
	t.Helper()
	ms, err := ParsePublish(s)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestRunContainerErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		f       Run
		args    []string // nil: sh
		wantErr string
	}{
		{name: "bad --userns", f: Run{Userns: "host"}, wantErr: `unknown --userns mode "host"`},
		{name: "bad -e", f: Run{Env: []string{"=x"}}, wantErr: "invalid environment variable"},
		{name: "missing --env-file", f: Run{EnvFiles: []string{filepath.Join(dir, "nope")}}, wantErr: "reading env file"},
		{name: "bad -v", f: Run{Volumes: []string{dir + ":/ok", "bad"}}, wantErr: `invalid volume "bad"`},
		{name: "missing -v host path", f: Run{Volumes: []string{dir + "/nope:/d"}}, wantErr: "host path"},
		{name: "bad --tmpfs", f: Run{Tmpfs: []string{"rel"}}, wantErr: `invalid --tmpfs "rel"`},
		{name: "bad --tmpfs option", f: Run{Tmpfs: []string{"/t:huge"}}, wantErr: `unknown option "huge"`},

		{name: "no image", args: []string{}, wantErr: "no image or root filesystem given"},
		{name: "bad --pull", f: Run{Pull: "sometimes"}, wantErr: `invalid --pull "sometimes": use missing, always or never`},
		{name: "relative -w", f: Run{Workdir: "rel"}, wantErr: `invalid --workdir "rel"`},
		{name: "bad --name", f: Run{Name: "-x"}, wantErr: `invalid --name "-x"`},
		{name: "bad --hostname", f: Run{Hostname: "a_b"}, wantErr: `invalid --hostname "a_b"`},
		{name: "bad --network", f: Run{Network: Network{Modes: []string{"-x"}}}, wantErr: `invalid --network "-x"`},
		{name: "-p without a network", f: Run{Network: Network{Modes: []string{"none"}, Publish: []string{"8080:80"}}}, wantErr: "use --network slirp4netns or pasta"},
		{name: "-P with the host's", f: Run{Network: Network{Modes: []string{"host"}, PublishAll: true}}, wantErr: "cannot publish ports with --network host"},
		{name: "--dns without a network", f: Run{Network: Network{Modes: []string{"none"}, DNSSearch: []string{"x"}}}, wantErr: "--dns and --dns-search need a network"},
		{name: "-p twice", f: Run{Network: Network{Publish: []string{"8080:80", "8080:81"}}}, wantErr: "cannot publish host port 8080/tcp twice"},
		{name: "bad --memory", f: Run{Resources: Resources{Memory: "lots"}}, wantErr: `invalid --memory "lots"`},
		{name: "bad --cgroup-manager", f: Run{CgroupManager: "cgmanager"}, wantErr: `invalid --cgroup-manager "cgmanager"`},
		{name: "bad --limits", f: Run{Limits: "loose"}, wantErr: `invalid --limits "loose": use strict or best-effort`},
		{name: "bad --restart", f: Run{Restart: "sometimes"}, wantErr: `invalid --restart "sometimes"`},
		{name: "--restart and --rm", f: Run{Restart: "always", Remove: true, Detach: true}, wantErr: "--restart always and --rm contradict each other"},
		{name: "--restart without -d", f: Run{Restart: "always"}, wantErr: "--restart needs a monitor to restart the container: add -d"},
		{name: "bad --health-retries", f: Run{HealthCmd: "true", HealthInterval: 1e9}, wantErr: "invalid --health-retries 0"},
		{name: "negative --preserve-fds", f: Run{PreserveFDs: -1}, wantErr: "invalid --preserve-fds -1: must be 0 or more"},
		{name: "--preserve-fds detached", f: Run{PreserveFDs: 1, Detach: true}, wantErr: "run it in the foreground"},
		{name: "-p in a pod", f: Run{Pod: "p", Network: Network{Publish: []string{"9090:9090"}}}, wantErr: "rl pod create -p"},
		{name: "--hostname in a pod", f: Run{Pod: "p", Hostname: "other"}, wantErr: "drop --hostname"},
		{name: "keep-id in a pod", f: Run{Pod: "p", Userns: "keep-id"}, wantErr: "--userns keep-id cannot join a pod"},
		{name: "keep-id with another's network", f: Run{Userns: "keep-id", Network: Network{Modes: []string{"container:web"}}}, wantErr: "--userns keep-id cannot be used with --network container:web"},
		{name: "another's network in a pod", f: Run{Pod: "p", Network: Network{Modes: []string{"container:web"}}}, wantErr: "--network container:web cannot be used in a pod"},
		{name: "--dns-opt with another's network", f: Run{DNSOptions: []string{"ndots:2"}, Network: Network{Modes: []string{"container:web"}}}, wantErr: "--dns-opt cannot be used with --network container:web"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			if f.Pull == "" {
				f.Pull = image.PullMissing
			}
			args := tt.args
			if args == nil {
				args = []string{"sh"}
			}
			_, err := f.Container(args)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Container = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

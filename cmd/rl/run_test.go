package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// defaultNet and hostNet are the network options rl run's flags give with
// no --network and with --network host.
var (
	defaultNet = config.Net{Mode: mustMode("")}
	hostNet    = config.Net{Mode: mustMode("host")}
)

// exitRLError is the exit code for a failure of rl itself, as docker's 125.
const exitRLError = 125

func mustMode(s string) network.Mode {
	m, err := opts.ParseNetwork(s)
	if err != nil {
		panic(err)
	}
	return m
}

// parseRun parses args with `rl run`'s real flag set and returns the
// options it binds them to, with the positional arguments left over.
func parseRun(t *testing.T, args []string) (*opts.Run, *cobra.Command, error) {
	t.Helper()
	f := &opts.Run{}
	cmd := &cobra.Command{Use: "run"}
	registerRun(cmd, f)
	if err := cmd.ParseFlags(args); err != nil {
		return nil, nil, err
	}
	return f, cmd, nil
}

func TestRunFlagsToOptions(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	if err := os.WriteFile(envFile, []byte("# comment\nB=file\nA=from-file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RL_TEST_FROM_HOST", "host value")
	const noexec = unix.MS_NOEXEC | unix.MS_NOSUID | unix.MS_NODEV

	tests := []struct {
		name     string
		args     []string
		want     config.Container
		wantArgs []string
	}{
		{
			name:     "defaults",
			args:     []string{"--rootfs", "/x", "true"},
			want:     config.Container{Rootfs: "/x", Command: []string{"true"}, ReadOnlyTmpfs: true, Net: defaultNet},
			wantArgs: []string{"true"},
		},
		{
			name: "many flags",
			args: []string{
				"--rootfs", "/x", "-e", "A=1", "-v", dir + ":/d:ro", "--tmpfs", "/t", "--userns", "keep-id",
				"-it", "--init", "sh", "-c", "x",
			},
			want: config.Container{
				Rootfs: "/x", Command: []string{"sh", "-c", "x"}, Env: []string{"A=1"},
				Mounts: []spec.Mount{
					{Kind: spec.Bind, Source: dir, Destination: "/d", ReadOnly: true},
					{Kind: spec.Tmpfs, Destination: "/t", Flags: noexec},
				},
				ReadOnlyTmpfs: true, Interactive: true, TTY: true, Init: true,
				Userns: userns.ModeKeepID, Net: defaultNet,
			},
			wantArgs: []string{"sh", "-c", "x"},
		},
		{
			name: "flags after the command are the command's",
			args: []string{"--rootfs", "/x", "ls", "-la", "--rm", "-e", "X=1"},
			want: config.Container{
				Rootfs: "/x", Command: []string{"ls", "-la", "--rm", "-e", "X=1"}, ReadOnlyTmpfs: true, Net: defaultNet,
			},
			wantArgs: []string{"ls", "-la", "--rm", "-e", "X=1"},
		},
		{
			name:     "double dash",
			args:     []string{"--rootfs", "/x", "--", "-v", "x"},
			want:     config.Container{Rootfs: "/x", Command: []string{"-v", "x"}, ReadOnlyTmpfs: true, Net: defaultNet},
			wantArgs: []string{"-v", "x"},
		},
		{
			name: "long forms and the rest",
			args: []string{
				"--rootfs=/x", "--name", "web", "--hostname", "box", "--env", "A=1", "--env-file", envFile,
				"--env", "RL_TEST_FROM_HOST", "--env", "RL_TEST_UNSET_VARIABLE", "--workdir", "/w", "--user", "alice:wheel",
				"--volume", dir + ":/d", "--tmpfs", "/t:size=1m,exec", "--read-only", "--read-only-tmpfs=false",
				"--rm", "--interactive", "--tty", "--userns=", "--network", "host", "--preserve-fds", "2",
				"--entrypoint", "/bin/sh", "--", "-c", "echo hi",
			},
			want: config.Container{
				Rootfs: "/x", Entrypoint: []string{"/bin/sh"}, EntrypointSet: true, Command: []string{"-c", "echo hi"},
				Name: "web", Hostname: "box",
				Env:     []string{"B=file", "A=from-file", "A=1", "RL_TEST_FROM_HOST=host value"},
				Workdir: "/w", User: "alice:wheel",
				Mounts: []spec.Mount{
					{Kind: spec.Bind, Source: dir, Destination: "/d"},
					{Kind: spec.Tmpfs, Destination: "/t", Flags: unix.MS_NOSUID | unix.MS_NODEV, Data: "size=1m"},
				},
				ReadOnly: true, Remove: true, Interactive: true, TTY: true,
				Net: hostNet, PreserveFDs: 2,
			},
			wantArgs: []string{"-c", "echo hi"},
		},
		{
			name: "short forms",
			args: []string{"--rootfs", "/x", "-w", "/w", "-u", "1000", "-i", "-e", "A=1", "-e", "B=2", "-v", dir + ":/a", "-v", dir + ":/b:rw", "cmd"},
			want: config.Container{
				Rootfs: "/x", Command: []string{"cmd"}, Workdir: "/w", User: "1000", Interactive: true,
				Env: []string{"A=1", "B=2"},
				Mounts: []spec.Mount{
					{Kind: spec.Bind, Source: dir, Destination: "/a"},
					{Kind: spec.Bind, Source: dir, Destination: "/b"},
				},
				ReadOnlyTmpfs: true, Net: defaultNet,
			},
			wantArgs: []string{"cmd"},
		},
		{
			name:     "--net is --network",
			args:     []string{"--rootfs", "/x", "--net", "host", "cmd"},
			want:     config.Container{Rootfs: "/x", Command: []string{"cmd"}, ReadOnlyTmpfs: true, Net: hostNet},
			wantArgs: []string{"cmd"},
		},
		{
			name:     "empty --entrypoint clears the image's entrypoint",
			args:     []string{"--rootfs", "/x", "--entrypoint", "", "cmd"},
			want:     config.Container{Rootfs: "/x", EntrypointSet: true, Command: []string{"cmd"}, ReadOnlyTmpfs: true, Net: defaultNet},
			wantArgs: []string{"cmd"},
		},
		{
			name:     "--userns private is the default",
			args:     []string{"--rootfs", "/x", "--userns", "private", "cmd"},
			want:     config.Container{Rootfs: "/x", Command: []string{"cmd"}, ReadOnlyTmpfs: true, Net: defaultNet, Userns: userns.ModeDefault},
			wantArgs: []string{"cmd"},
		},
		{
			name: "process flags and labels",
			args: []string{"--rootfs", "/x", "-l", "a=1", "--label", "b", "--ulimit", "nofile=10:20", "--umask", "077",
				"--group-add", "wheel", "--oom-score-adj", "7", "--tz", "local", "--cgroupns", "host", "--entrypoint", `["sh","-c"]`, "cmd"},
			want: config.Container{
				Rootfs: "/x", Command: []string{"cmd"}, ReadOnlyTmpfs: true, Net: defaultNet,
				Entrypoint: []string{"sh", "-c"}, EntrypointSet: true,
				Labels: map[string]string{"a": "1", "b": ""},
				Process: config.Process{
					Ulimits: []spec.Rlimit{{Type: "RLIMIT_NOFILE", Resource: unix.RLIMIT_NOFILE, Soft: 10, Hard: 20}},
					Umask:   0o077, GroupAdd: []string{"wheel"}, OOMScoreAdj: ptr(7), Timezone: "local", HostCgroupNS: true,
				},
			},
			wantArgs: []string{"cmd"},
		},
		{
			name:     "no command",
			args:     []string{"--rootfs", "/x"},
			want:     config.Container{Rootfs: "/x", Command: []string{}, ReadOnlyTmpfs: true, Net: defaultNet},
			wantArgs: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, cmd, err := parseRun(t, tt.args)
			if err != nil {
				t.Fatalf("parsing %q: %v", tt.args, err)
			}
			args := cmd.Flags().Args()
			if !reflect.DeepEqual(args, tt.wantArgs) {
				t.Errorf("args = %q, want %q", args, tt.wantArgs)
			}
			got, err := containerOptions(f, cmd, args)
			if err != nil {
				t.Fatalf("containerOptions: %v", err)
			}
			// The flags' defaults that every case shares.
			want := tt.want
			want.Pull, want.Restart, want.Registry.TLSVerify = image.PullMissing, config.Restart{Name: "no"}, true
			if want.Process.Umask == 0 {
				want.Process.Umask = 0o022
			}
			want.Log, want.Lifecycle = lifecycleDefaults(want.Log, want.Lifecycle)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("options =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestRunFlagsParseErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--bogus"},
		{"--preserve-fds", "x"},
		{"--read-only=maybe"},
		{"--rootfs"},
		{"-x"},
	} {
		if _, _, err := parseRun(t, args); err == nil {
			t.Errorf("parsing %q succeeded, want an error", args)
		}
	}
}

// captureStderr runs fn with os.Stderr sent to a file and returns what it
// wrote.
func captureStderr(t *testing.T, fn func()) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stderr
	os.Stderr = f
	defer func() { os.Stderr = saved }()
	fn()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExecuteErrors runs the whole command line for invocations that fail
// before any container is created, and checks docker's exit code 125 and
// the message. The store is a temporary one in case a check is missed.
func TestExecuteErrors(t *testing.T) {
	rootfs := t.TempDir()
	store := []string{"--root", t.TempDir(), "--runroot", t.TempDir()}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "unknown flag", args: []string{"run", "--bogus", "--rootfs", rootfs, "sh"}, wantErr: "unknown flag: --bogus (see rl run --help)"},
		{name: "unknown shorthand", args: []string{"run", "-x", "--rootfs", rootfs, "sh"}, wantErr: "unknown shorthand flag: 'x'"},
		{name: "bad --userns", args: []string{"run", "--userns", "bogus", "--rootfs", rootfs, "sh"}, wantErr: `unknown --userns mode "bogus"`},
		{name: "bad --preserve-fds", args: []string{"run", "--preserve-fds", "many", "--rootfs", rootfs, "sh"}, wantErr: "invalid argument"},
		{name: "bad --log-level", args: []string{"--log-level", "loud", "run", "--rootfs", rootfs, "sh"}, wantErr: `invalid --log-level "loud"`},
		{name: "unknown command", args: []string{"bogus"}, wantErr: `unknown command "bogus"`},
		{name: "bad -v", args: []string{"run", "-v", "bad/name:/x", "--rootfs", rootfs, "sh"}, wantErr: `invalid volume name "bad/name"`},
		{name: "bad --tmpfs", args: []string{"run", "--tmpfs", "t", "--rootfs", rootfs, "sh"}, wantErr: `invalid --tmpfs "t"`},
		{name: "bad -e", args: []string{"run", "-e", "A B=1", "--rootfs", rootfs, "sh"}, wantErr: `invalid environment variable "A B=1"`},
		{name: "no image and no --rootfs", args: []string{"run"}, wantErr: "no image or root filesystem given"},
		{name: "missing --rootfs", args: []string{"run", "--rootfs", filepath.Join(rootfs, "nope"), "sh"}, wantErr: "root filesystem: "},
		{name: "no command", args: []string{"run", "--rootfs", rootfs}, wantErr: "no command given"},
		{name: "bad --network", args: []string{"run", "--network", "bri dge", "--rootfs", rootfs, "sh"}, wantErr: `invalid --network "bri dge": use slirp4netns, pasta, none, host, container:NAME or the name of a network`},
		{name: "bad --net", args: []string{"run", "--net", "sl/irp", "--rootfs", rootfs, "sh"}, wantErr: `invalid --network "sl/irp"`},
		{name: "bad --name", args: []string{"run", "--name", "-x", "--rootfs", rootfs, "sh"}, wantErr: `invalid --name "-x"`},
		{name: "bad --hostname", args: []string{"run", "--hostname", "a_b", "--rootfs", rootfs, "sh"}, wantErr: `invalid --hostname "a_b"`},
		{name: "relative -w", args: []string{"run", "-w", "rel", "--rootfs", rootfs, "sh"}, wantErr: `invalid --workdir "rel"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var code int
			out := captureStderr(t, func() { code = execute(append(append([]string(nil), store...), tt.args...)) })
			if code != exitRLError {
				t.Errorf("execute(%q) = %d, want %d; stderr %q", tt.args, code, exitRLError, out)
			}
			if !strings.HasPrefix(out, "rl: ") || !strings.Contains(out, tt.wantErr) {
				t.Errorf("execute(%q) printed %q, want an rl: line containing %q", tt.args, out, tt.wantErr)
			}
		})
	}
}

func TestPrintErrorIsOneLine(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	printError(errors.New("pulling x: 2 candidates failed:\n  a: denied\n\n  b: not found\n"))
	os.Stderr = stderr
	w.Close()
	out, _ := io.ReadAll(r)
	if got, want := string(out), "rl: pulling x: 2 candidates failed:; a: denied; b: not found\n"; got != want {
		t.Errorf("printError wrote %q, want %q", got, want)
	}
}

func ptr[T any](v T) *T { return &v }

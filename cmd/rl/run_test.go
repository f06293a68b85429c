package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// parseRun parses args with `rl run`'s real flag set and reads the values
// back into a runFlags, with the positional arguments left over and
// whether --entrypoint was given.

// defaultNet and hostNet are the network options rl run's flags give with
// no --network and with --network host.
var (
	defaultNet = config.Net{Mode: mustMode("")}
	hostNet    = config.Net{Mode: mustMode("host")}
)

// exitRLError is the exit code for a failure of rl itself, as docker's 125.
const exitRLError = 125

func mustMode(s string) network.Mode {
	m, err := network.ParseMode(s)
	if err != nil {
		panic(err)
	}
	return m
}

func parseRun(t *testing.T, args []string) (*runFlags, []string, bool, error) {
	t.Helper()
	code := 0
	cmd := newRunCommand(&globalOptions{}, &code)
	if err := cmd.ParseFlags(args); err != nil {
		return nil, nil, false, err
	}
	fl := cmd.Flags()
	str := func(name string) string {
		v, err := fl.GetString(name)
		if err != nil {
			t.Fatalf("flag --%s: %v", name, err)
		}
		return v
	}
	arr := func(name string) []string {
		v, err := fl.GetStringArray(name)
		if err != nil {
			t.Fatalf("flag --%s: %v", name, err)
		}
		return v
	}
	boolean := func(name string) bool {
		v, err := fl.GetBool(name)
		if err != nil {
			t.Fatalf("flag --%s: %v", name, err)
		}
		return v
	}
	fds, err := fl.GetInt("preserve-fds")
	if err != nil {
		t.Fatalf("flag --preserve-fds: %v", err)
	}
	f := &runFlags{
		rootfs: str("rootfs"), entrypoint: str("entrypoint"), name: str("name"), hostname: str("hostname"),
		env: arr("env"), envFiles: arr("env-file"), workdir: str("workdir"), user: str("user"),
		volumes: arr("volume"), tmpfs: arr("tmpfs"),
		readOnly: boolean("read-only"), readOnlyTmpfs: boolean("read-only-tmpfs"), rm: boolean("rm"),
		interactive: boolean("interactive"), tty: boolean("tty"), init: boolean("init"),
		userns: str("userns"), network: str("network"), preserveFDs: fds,
	}
	return f, fl.Args(), fl.Changed("entrypoint"), nil
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
			name:     "no command",
			args:     []string{"--rootfs", "/x"},
			want:     config.Container{Rootfs: "/x", Command: []string{}, ReadOnlyTmpfs: true, Net: defaultNet},
			wantArgs: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, args, entrypointSet, err := parseRun(t, tt.args)
			if err != nil {
				t.Fatalf("parsing %q: %v", tt.args, err)
			}
			if !reflect.DeepEqual(args, tt.wantArgs) {
				t.Errorf("args = %q, want %q", args, tt.wantArgs)
			}
			got, err := f.toOptions(args, entrypointSet)
			if err != nil {
				t.Fatalf("toOptions: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("options =\n%+v\nwant\n%+v", got, tt.want)
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
		if _, _, _, err := parseRun(t, args); err == nil {
			t.Errorf("parsing %q succeeded, want an error", args)
		}
	}
}

func TestToOptionsErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		f       runFlags
		wantErr string
	}{
		{name: "bad --userns", f: runFlags{userns: "host"}, wantErr: `unknown --userns mode "host"`},
		{name: "bad -e", f: runFlags{env: []string{"=x"}}, wantErr: "invalid environment variable"},
		{name: "missing --env-file", f: runFlags{envFiles: []string{filepath.Join(dir, "nope")}}, wantErr: "reading env file"},
		{name: "bad -v", f: runFlags{volumes: []string{dir + ":/ok", "bad"}}, wantErr: `invalid volume "bad"`},
		{name: "missing -v host path", f: runFlags{volumes: []string{dir + "/nope:/d"}}, wantErr: "host path"},
		{name: "bad --tmpfs", f: runFlags{tmpfs: []string{"rel"}}, wantErr: `invalid --tmpfs "rel"`},
		{name: "bad --tmpfs option", f: runFlags{tmpfs: []string{"/t:huge"}}, wantErr: `unknown option "huge"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.f.toOptions([]string{"sh"}, false)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("toOptions = %v, want an error containing %q", err, tt.wantErr)
			}
		})
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
		{name: "bad -v", args: []string{"run", "-v", "named:/x", "--rootfs", rootfs, "sh"}, wantErr: "named volumes are not supported"},
		{name: "bad --tmpfs", args: []string{"run", "--tmpfs", "t", "--rootfs", rootfs, "sh"}, wantErr: `invalid --tmpfs "t"`},
		{name: "bad -e", args: []string{"run", "-e", "A B=1", "--rootfs", rootfs, "sh"}, wantErr: `invalid environment variable "A B=1"`},
		{name: "no image and no --rootfs", args: []string{"run"}, wantErr: "no image or root filesystem given"},
		{name: "missing --rootfs", args: []string{"run", "--rootfs", filepath.Join(rootfs, "nope"), "sh"}, wantErr: "root filesystem: "},
		{name: "no command", args: []string{"run", "--rootfs", rootfs}, wantErr: "no command given"},
		{name: "bad --network", args: []string{"run", "--network", "bridge", "--rootfs", rootfs, "sh"}, wantErr: `invalid --network "bridge": use slirp4netns, pasta, none or host`},
		{name: "bad --net", args: []string{"run", "--net", "slirp", "--rootfs", rootfs, "sh"}, wantErr: `invalid --network "slirp"`},
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

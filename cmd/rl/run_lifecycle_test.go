package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/rl-containers/rl/rootless/config"
	"golang.org/x/sys/unix"
)

// lifecycleDefaults fills in the defaults of the log and lifecycle flags
// where a test case leaves them zero.
func lifecycleDefaults(l config.Log, lc config.Lifecycle) (config.Log, config.Lifecycle) {
	if l.Driver == "" {
		l.Driver = config.LogK8sFile
	}
	if lc.StopTimeout == 0 {
		lc.StopTimeout = 10
	}
	if lc.DetachKeys == "" {
		lc.DetachKeys = "ctrl-p,ctrl-q"
	}
	if lc.HealthTimeout == 0 {
		lc.HealthTimeout = 30 * time.Second
	}
	return l, lc
}

func TestRunLifecycleFlags(t *testing.T) {
	f, cmd, err := parseRun(t, []string{
		"--rootfs", "/x", "--name", "n", "--log-driver", "json-file", "--log-opt", "max-size=1.5k", "--log-opt", "path=/tmp/l",
		"--log-opt", "tag=t", "--log-opt", "other=kept", "--stop-signal", "HUP", "--stop-timeout", "3", "--timeout", "2",
		"--detach-keys", "", "-a", "stdin", "--attach", "STDERR", "--replace", "--health-cmd", "true",
		"--health-timeout", "5s", "--health-start-period", "1m", "--health-on-failure", "restart", "cmd",
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := containerOptions(f, cmd, cmd.Flags().Args())
	if err != nil {
		t.Fatal(err)
	}
	wantLog := config.Log{Driver: config.LogJSONFile, Path: "/tmp/l", Size: 1500, Tag: "t"}
	wantLc := config.Lifecycle{
		StopSignal: int(unix.SIGHUP), StopTimeout: 3, Timeout: 2 * time.Second, Attach: []string{"stdin", "stderr"},
		Replace: true, HealthTimeout: 5 * time.Second, HealthStartPeriod: time.Minute, HealthOnFailure: "restart",
	}
	if !reflect.DeepEqual(got.Log, wantLog) || !reflect.DeepEqual(got.Lifecycle, wantLc) {
		t.Errorf("got\n%+v %+v\nwant\n%+v %+v", got.Log, got.Lifecycle, wantLog, wantLc)
	}
}

func TestRunLifecycleBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"--log-driver", "syslog"},
		{"--log-driver", "journald"},
		{"--log-opt", "max-size"},
		{"--log-opt", "max-size=lots"},
		{"--log-opt", "path=relative"},
		{"--stop-signal", "NOPE"},
		{"--stop-timeout", "-1"},
		{"--timeout", "-2"},
		{"--detach-keys", "ctrl-"},
		{"--detach-keys", "ab"},
		{"-a", "stdio"},
		{"--health-timeout", "soon"},
		{"--health-start-period", "-1s"},
		{"--health-on-failure", "explode"},
		{"--health-on-failure", "kill"}, // no --health-cmd
		{"--log-driver", "passthrough", "-a", "stdout"},
	} {
		f, cmd, err := parseRun(t, append(append([]string{"--rootfs", "/x"}, args...), "cmd"))
		if err == nil {
			_, err = containerOptions(f, cmd, cmd.Flags().Args())
		}
		if err == nil {
			t.Errorf("%q: accepted", args)
		}
	}
}

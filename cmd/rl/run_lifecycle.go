package main

import (
	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/cmd/rl/opts"
)

// registerLifecycle binds the flags of rl run and rl create that say where
// the container's output goes and how it starts and ends.
func registerLifecycle(cmd *cobra.Command, f *opts.Run) {
	fl := cmd.Flags()
	fl.StringVar(&f.LogDriver, "log-driver", "", "where the output goes: k8s-file (default, read by rl logs), json-file, none, passthrough (rl's own stdio)")
	fl.StringArrayVar(&f.LogOpts, "log-opt", nil, "log option: path=FILE, max-size=SIZE (e.g. 10mb), tag=TAG")
	l := &f.Lifecycle
	fl.StringVar(&l.StopSignal, "stop-signal", "", "signal rl stop sends first (default: the image's, else SIGTERM)")
	fl.IntVar(&l.StopTimeout, "stop-timeout", 10, "seconds rl stop waits before killing the container")
	fl.IntVar(&l.Timeout, "timeout", 0, "kill the container after this many seconds (0: never)")
	fl.StringVar(&l.DetachKeys, "detach-keys", "ctrl-p,ctrl-q", "key sequence that detaches from the container (\"\": none)")
	fl.StringArrayVarP(&l.Attach, "attach", "a", nil, "attach to STDIN, STDOUT or STDERR (default: stdout and stderr)")
	fl.BoolVar(&l.Replace, "replace", false, "remove a container of the same name first")
	fl.StringVar(&l.HealthTimeout, "health-timeout", "30s", "time a health check may take before it counts as failed")
	fl.StringVar(&l.HealthStartPeriod, "health-start-period", "0s", "time after the start during which failed health checks do not count")
	fl.StringVar(&l.HealthOnFailure, "health-on-failure", "none", "what to do to an unhealthy container: none, kill, restart or stop")
}

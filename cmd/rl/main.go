// Command rl runs rootless containers: no daemon, no root, no setuid code
// of its own. This package is the command line only: it parses flags into
// the engine's options (package github.com/rl-containers/rl/rootless) and turns errors into one line
// of advice and docker's exit codes.
// The Go runtime's cgroup-aware GOMAXPROCS keeps cgroup files open from
// before main: those fds would take the numbers that --preserve-fds passes
// on, and reading them costs start-up time.
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"os"

	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/network"
)

func main() {
	// rl is also the helper that forwards published ports from inside a
	// container's network namespace.
	network.MaybeRunPortChild()
	// and the monitor of a detached container.
	if monitor.IsMonitor() {
		_ = setupLogging("warn")
		os.Exit(monitor.RunMonitor())
	}
	os.Exit(execute(os.Args[1:]))
}

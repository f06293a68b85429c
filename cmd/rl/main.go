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
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/rl-containers/rl/rootless/doctor"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/netns"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/store"
)

func main() {
	// rl is also the helper that forwards published ports from inside a
	// container's network namespace.
	network.MaybeRunPortChild()
	// and rl doctor's probe in a user namespace.
	doctor.MaybeRunProbe()
	// and the teardown of an exited container's user-defined networks.
	if netns.IsDetacher() {
		os.Exit(netns.RunDetacher())
	}
	// and the removal of the files of containers it removed.
	if store.IsPurger() {
		os.Exit(store.RunPurger())
	}
	// and the holder of the rootless network namespace.
	if netns.IsHolder() {
		os.Exit(netns.RunHolder())
	}
	// and the monitor of a detached container.
	if monitor.IsMonitor() {
		_ = setupLogging("warn")
		code := monitor.RunMonitor()
		finish()
		os.Exit(code)
	}
	// A command lives milliseconds and allocates a few megabytes, most of
	// them building its flags: a collection would only cost it time
	// (1-2 ms of a start). The collector starts once the heap nears the
	// limit, for the commands that run long (rl run in the foreground,
	// rl logs -f). The monitor, above, keeps Go's default.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(64 << 20)
	code := execute(os.Args[1:])
	finish()
	os.Exit(code)
}

// finish leaves the files of the containers that rl removed to a process
// of their own (store.Purge), so that rl's exit does not wait on the disk.
// No rl-init that rl started outlives both: rl waits for those still
// tearing their namespaces down (launch.Settle), unless that process does.
func finish() {
	waits, ok := launch.Unsettled()
	handed, err := store.Purge(waits)
	for _, f := range waits {
		f.Close()
	}
	if err != nil {
		slog.Warn(err.Error())
	}
	if !handed || !ok {
		launch.Settle()
	}
}

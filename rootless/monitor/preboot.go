package monitor

import (
	"os"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/userns"
)

// Preboot starts the launch of the container in the foreground that o
// describes before the container is made (launch.Boot), so that rl-init's
// start (its exec, its joining the shared user namespace, its Go runtime)
// overlaps with the creation: where the launch's shape and rl-init's
// streams follow from o alone, that is for a container of the caller's
// default mapping, outside pods, on a network of its own or user-defined
// networks, without limits, writing to rl's own stdio; otherwise it
// returns nil. The boot goes on while rl makes the container; where it
// fails, the launch starts afresh and says why. Start checks
// that the launch is the one booted; Abort the result where the container
// is not to start.
func Preboot(o config.Container, preserved []*os.File) *launch.Booted {
	switch {
	case o.Pod != "", o.Userns != userns.ModeDefault, o.IDMaps != nil, !o.Resources.Empty(),
		o.Cgroups.Manager != "" && o.Cgroups.Manager != cgroupsd.None, !ownStdio(o),
		o.Net.Mode.Name == network.Container:
		return nil
	}
	maps, _, err := userns.ForCaller(o.Userns, o.IDMaps)
	if err != nil || maps.Inner != nil {
		return nil
	}
	dir, err := store.SharedUserNSDir()
	if err != nil {
		return nil
	}
	return launch.Boot(launch.Options{
		Variant: launch.Variant{
			Kind: launch.Container, Privileged: maps.Privileged,
			HostNetwork: o.Net.Mode.Name == network.Host, Networks: o.Net.Mode.Name == network.Bridge,
		},
		Maps:      maps,
		Network:   o.Net.Mode,
		Cgroup:    cgroupsd.Prepare(cgroupsd.Resources{}, cgroupsd.Options{}),
		Streams:   launch.Foreground(o.Interactive, o.TTY),
		Preserved: preserved,
		SharedDir: dir,
		// The tests' crash points: a kill here leaves at most a
		// half-made container, for Repair.
		Crashpoint: store.Crashpoint,
	})
}

// ownStdio is true when the container in the foreground writes to rl's
// own stdio (RunForeground relays nothing): passthrough, or no log (--rm
// keeps none) and both streams attached.
func ownStdio(o config.Container) bool {
	if o.Log.Driver == config.LogPassthrough {
		return true
	}
	return (!o.Log.Logs() || o.Remove) && o.Lifecycle.Attached("stdout") && o.Lifecycle.Attached("stderr")
}

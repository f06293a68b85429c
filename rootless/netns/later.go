package netns

import (
	"fmt"

	"github.com/rl-containers/rl/rootless/reexec"
)

// envDetach marks rl re-executed by DetachLater; its value is the
// detachArgs of the container to take off its networks.
const envDetach = "_RL_NETNS_DETACH"

// detachArgs are what DetachLater's process is to do: Detach of ID in the
// rootless netns of Dir, where ID's entry is the one attached with the
// rl-init Pid (a container started again since has another).
type detachArgs struct {
	Dir, ID string
	Pid     int
}

// DetachLater is Detach of the container id, whose rl-init pid has
// exited, in a process of its own that the caller does not wait for: rl
// re-executed, in a session of its own, with no stdio. netavark's teardown
// (the kernel's deletion of a veth waits out RCU grace periods, ~25 ms)
// is then off the path from the command's exit to the caller's. Until it
// holds the lock, an entry of an rl-init that is gone is what Attach
// repairs anyway; a kill leaves the same.
func (ns Namespace) DetachLater(id string, pid int) error {
	// ps shows it as "rl network-teardown ID".
	args := []string{"rl", "network-teardown", id[:min(12, len(id))]}
	if err := reexec.Start(envDetach, detachArgs{Dir: ns.Dir, ID: id, Pid: pid}, args, nil); err != nil {
		return fmt.Errorf("starting the network teardown: %w", err)
	}
	return nil
}

// IsDetacher is true in a process that DetachLater started.
func IsDetacher() bool { return reexec.Is(envDetach) }

// RunDetacher is the main function of DetachLater's process; it returns
// its exit code.
func RunDetacher() int {
	var a detachArgs
	if err := reexec.Arg(envDetach, &a); err != nil {
		return 125
	}
	err := Namespace{Dir: a.Dir}.detach(a.ID, func(e *entry) bool { return e.Pid == a.Pid })
	if err != nil {
		return 1
	}
	return 0
}

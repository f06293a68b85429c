package netns

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"

	"golang.org/x/sys/unix"
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
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding rl: %w", err)
	}
	arg, err := json.Marshal(detachArgs{Dir: ns.Dir, ID: id, Pid: pid})
	if err != nil {
		return err
	}
	// ps shows it as "rl network-teardown ID".
	cmd := &exec.Cmd{Path: self, Args: []string{"rl", "network-teardown", id[:min(12, len(id))]}}
	cmd.Env = append(os.Environ(), envDetach+"="+string(arg))
	cmd.Dir = "/"
	cmd.SysProcAttr = &unix.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the network teardown: %w", err)
	}
	return cmd.Process.Release()
}

// IsDetacher is true in a process that DetachLater started.
func IsDetacher() bool { return os.Getenv(envDetach) != "" }

// RunDetacher is the main function of DetachLater's process; it returns
// its exit code.
func RunDetacher() int {
	var a detachArgs
	if err := json.Unmarshal([]byte(os.Getenv(envDetach)), &a); err != nil {
		return 125
	}
	os.Unsetenv(envDetach)
	err := Namespace{Dir: a.Dir}.detach(a.ID, func(e *entry) bool { return e.Pid == a.Pid })
	if err != nil {
		return 1
	}
	return 0
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/store"
)

// envExecDetached marks the rl exec that rl exec -d leaves running, as
// conmon holds podman's exec sessions: the same command line, in a
// session of its own with its stdio on /dev/null, which reports on fd 3
// whether the command started (one monitor.Result) and then waits for
// it, so that the command keeps a parent that reaps it.
const envExecDetached = "_RL_EXEC_DETACHED"

// detachedExec is true in the rl exec that exec -d started.
func detachedExec() bool { return os.Getenv(envExecDetached) != "" }

// startDetachedExec runs this command line again as a detached exec
// session and prints the session's id once the command runs. A command
// that cannot start fails with exit code 125, whatever the cause, as
// podman's exec -d does.
func startDetachedExec(stdout io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding rl: %w", err)
	}
	id, err := store.NewID()
	if err != nil {
		return err
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	resultR, resultW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer resultR.Close()
	cmd := &exec.Cmd{
		Path: self, Args: os.Args, Env: append(os.Environ(), envExecDetached+"="+id),
		Stdin: null, Stdout: null, Stderr: null, ExtraFiles: []*os.File{resultW},
		SysProcAttr: &unix.SysProcAttr{Setsid: true},
	}
	err = cmd.Start()
	resultW.Close()
	if err != nil {
		return fmt.Errorf("starting the exec session: %w", err)
	}
	var r monitor.Result
	if err := json.NewDecoder(resultR).Decode(&r); err != nil {
		state, _ := cmd.Process.Wait()
		return fmt.Errorf("the exec session ended before its command started (%v)", state)
	}
	_ = cmd.Process.Release()
	if err := r.Err(); err != nil {
		return &launch.ExitError{Code: 125, Err: err}
	}
	fmt.Fprintln(stdout, id)
	return nil
}

// reportExecStarted is the detached session's report to exec -d (see
// envExecDetached).
func reportExecStarted(err error) {
	f := os.NewFile(3, "result")
	_ = json.NewEncoder(f).Encode(monitor.NewResult(err))
	f.Close()
}

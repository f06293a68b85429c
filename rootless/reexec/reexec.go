// Package reexec starts rl again as a helper process that the caller does
// not wait for (the teardown of an exited container's networks, the purge
// of a removed container's files), and is that helper's side of it: the
// helper is told what to do in an environment variable of its own.
package reexec

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"

	"golang.org/x/sys/unix"
)

// Start starts this executable as the helper marked env, with arg (as
// JSON) for it and files as its fds 3, 4, ...: in a session of its own,
// in /, with no stdio. ps shows it as args.
func Start(env string, arg any, args []string, files []*os.File) error {
	cmd, err := Command(env, arg, args, files)
	if err != nil {
		return err
	}
	return Launch(cmd)
}

// Command is the command that Start starts, for a caller that has it run
// another program first (one that execs rl, cmd.Path, where it cannot do
// the helper's work itself); Launch starts it.
func Command(env string, arg any, args []string, files []*os.File) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding rl: %w", err)
	}
	b, err := json.Marshal(arg)
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{Path: self, Args: args, Env: append(os.Environ(), env+"="+string(b)), Dir: "/", ExtraFiles: files}
	cmd.SysProcAttr = &unix.SysProcAttr{Setsid: true}
	return cmd, nil
}

// Launch starts cmd, from Command, and does not wait for it.
func Launch(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

// Is is true in a helper that Start started for env.
func Is(env string) bool { return os.Getenv(env) != "" }

// Arg decodes the helper's arg into v and drops env from its environment,
// which the processes it starts inherit.
func Arg(env string, v any) error {
	err := json.Unmarshal([]byte(os.Getenv(env)), v)
	os.Unsetenv(env)
	return err
}

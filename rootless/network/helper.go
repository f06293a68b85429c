package network

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/sys/unix"
)

// helper is a network helper process (slirp4netns, pasta, the port
// forwarder's child half) that logs to a file in the state dir and dies
// with rl through its parent-death signal, also when rl is killed.
type helper struct {
	what, logPath string
	cmd           *exec.Cmd
	exited        chan error // holds cmd.Wait's result once it exits
}

// startHelper starts cmd as the helper what, logging to logPath.
func startHelper(cmd *exec.Cmd, what, logPath string) (*helper, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &unix.SysProcAttr{Pdeathsig: unix.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, helperError(what, logPath, err)
	}
	h := &helper{what: what, logPath: logPath, cmd: cmd, exited: make(chan error, 1)}
	go func() { h.exited <- cmd.Wait() }()
	return h, nil
}

// wait waits until the helper has exited; it may be called again.
func (h *helper) wait() {
	err := <-h.exited
	h.exited <- err
}

// failed is the start-up failure for a helper that exited (its Wait
// result err was just received from h.exited), with its last log lines.
func (h *helper) failed(err error) error {
	h.exited <- err // for wait
	if err == nil {
		err = fmt.Errorf("%s exited during start-up", h.what)
	}
	return h.error(err)
}

// error wraps err with the helper's last log lines.
func (h *helper) error(err error) error { return helperError(h.what, h.logPath, err) }

// helperError wraps a helper's failure with the last lines it logged.
func helperError(what, logPath string, err error) error {
	b, _ := os.ReadFile(logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	if msg := strings.Join(lines, "; "); msg != "" {
		return fmt.Errorf("starting %s: %w (%s)", what, err, msg)
	}
	return fmt.Errorf("starting %s: %w", what, err)
}

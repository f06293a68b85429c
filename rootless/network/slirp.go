package network

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/rootless-containers/rootlesskit/v2/pkg/network/slirp4netns"
)

// startSlirp starts slirp4netns for pid's net namespace through
// rootlesskit's driver, which creates tap0 in it (nsenter + ip, as the
// namespace's owner) and starts slirp4netns with a parent-death signal, so
// that it dies with rl even on SIGKILL. rl-init addresses tap0. It returns
// the API socket when the ports go through slirp4netns's own forwarder.
func (n *Network) startSlirp(pid int, mode Mode, stateDir string) (string, error) {
	binary, err := lookBackend("slirp4netns")
	if err != nil {
		return "", err
	}
	logPath := filepath.Join(stateDir, "slirp4netns.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	defer logFile.Close()
	var apiSocket string
	if mode.PortHandler == PortHandlerSlirp4netns {
		apiSocket = filepath.Join(stateDir, "slirp.sock")
	}
	_, cidr, _ := net.ParseCIDR(Address + "/" + strconv.Itoa(PrefixLen))
	d, err := slirp4netns.NewParentDriver(logFile, binary, mode.MTU, cidr, Dev,
		!mode.AllowHostLoopback, apiSocket, true, true, false)
	if err != nil {
		return "", helperError("slirp4netns", logPath, err)
	}
	_, cleanup, err := d.ConfigureNetwork(pid, stateDir, "")
	if cleanup != nil {
		n.stops = append(n.stops, func() { _ = cleanup() })
	}
	if err != nil {
		return "", helperError("slirp4netns", logPath, err)
	}
	n.Interface = iface(mode.MTU)
	return apiSocket, nil
}

// startSlirpDirect starts slirp4netns for real root, which has no user
// namespace for rootlesskit's driver to enter: slirp4netns configures tap0
// itself (--configure) and exits when rl closes the exit pipe or dies.
func (n *Network) startSlirpDirect(pid int, mode Mode, stateDir string) error {
	binary, err := lookBackend("slirp4netns")
	if err != nil {
		return err
	}
	logPath := filepath.Join(stateDir, "slirp4netns.log")
	args := []string{"--configure", "--mtu", strconv.Itoa(mode.MTU), "--ready-fd", "3", "--exit-fd", "4",
		"--enable-sandbox", "--enable-seccomp"}
	if !mode.AllowHostLoopback {
		args = append(args, "--disable-host-loopback")
	}
	if mode.PortHandler == PortHandlerSlirp4netns {
		return fmt.Errorf("invalid --network option port_handler=slirp4netns: rl supports it only rootless; use port_handler=rootlesskit")
	}
	cmd := exec.Command(binary, append(args, strconv.Itoa(pid), Dev)...)
	return n.startReady(cmd, "slirp4netns", logPath)
}

// startReady starts cmd with a ready pipe on fd 3 and an exit pipe on fd
// 4, waits until it writes to the ready pipe (or exits), and arranges for
// Stop to close the exit pipe and wait for it.
func (n *Network) startReady(cmd *exec.Cmd, what, logPath string) error {
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer readyR.Close()
	exitR, exitW, err := os.Pipe()
	if err != nil {
		readyW.Close()
		return err
	}
	cmd.ExtraFiles = []*os.File{readyW, exitR}
	h, err := startHelper(cmd, what, logPath)
	readyW.Close()
	exitR.Close()
	if err != nil {
		exitW.Close()
		return err
	}
	n.stops = append(n.stops, func() {
		exitW.Close()
		h.wait()
	})
	// The ready pipe gets a byte when the helper is ready, or EOF when it
	// exits first.
	if c, _ := readyR.Read(make([]byte, 1)); c != 1 {
		return h.error(fmt.Errorf("%s exited during start-up", what))
	}
	return nil
}

// lookBackend finds a network helper program on PATH.
func lookBackend(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: %s is not on PATH", ErrNoBackend, name)
	}
	return path, nil
}

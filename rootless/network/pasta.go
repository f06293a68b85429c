package network

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// pastaStartTimeout bounds the wait for pasta to come up.
const pastaStartTimeout = 10 * time.Second

// startPasta starts pasta for pid's net namespace. rootlesskit's pasta
// driver lets pasta daemonize and never stops it, so that pasta (and the
// namespace it holds) would outlive the container; rl runs it in the
// foreground instead (-f), as its own child with a parent-death signal,
// and kills it at the end. pasta configures tap0 itself (--config-net)
// with the same addresses as slirp4netns. Ready means: pasta wrote its pid
// file, which it does once initialised.
func (n *Network) startPasta(pid int, privileged bool, mode Mode, stateDir string) error {
	if privileged {
		// pasta started by root isolates itself (a user namespace of its
		// own, nobody) before it joins the target, and then may not open
		// the container's namespaces.
		return errors.New("pasta cannot serve a container of real root: use --network slirp4netns (the default)")
	}
	binary, err := lookBackend("pasta")
	if err != nil {
		return err
	}
	logPath, pidFile := filepath.Join(stateDir, "pasta.log"), filepath.Join(stateDir, "pasta.pid")
	args := []string{"-f", "-q", "-P", pidFile, "--ns-ifname", Dev, "--mtu", strconv.Itoa(mode.MTU),
		"--config-net", "--ipv4-only"}
	// rl's defaults, each unless the user's pasta:ARGS set it (pasta
	// refuses an option given twice).
	for _, d := range []struct{ short, long, value string }{
		{"-a", "--address", Address}, {"-n", "--netmask", strconv.Itoa(PrefixLen)},
		{"-g", "--gateway", Gateway}, {"-D", "--dns-forward", DNS},
		{"-t", "--tcp-ports", "none"}, {"-u", "--udp-ports", "none"},
		{"-T", "--tcp-ns", "none"}, {"-U", "--udp-ns", "none"},
	} {
		if !givesOption(mode.PastaArgs, d.short, d.long) {
			args = append(args, d.long, d.value)
		}
	}
	if !mode.AllowHostLoopback && !givesOption(mode.PastaArgs, "", "--map-gw") {
		args = append(args, "--no-map-gw")
	}

	args = append(append(args, mode.PastaArgs...), strconv.Itoa(pid))
	h, err := startHelper(exec.Command(binary, args...), "pasta", logPath)
	if err != nil {
		return err
	}
	n.stops = append(n.stops, func() {
		_ = h.cmd.Process.Kill()
		h.wait()
	})
	deadline := time.After(pastaStartTimeout)
	for {
		if _, err := os.Stat(pidFile); err == nil {
			return nil
		}
		select {
		case err := <-h.exited:
			return h.failed(err)
		case <-deadline:
			return h.error(errors.New("pasta did not come up within 10 s"))
		case <-time.After(time.Millisecond):
		}
	}
}

// givesOption is true when args set the option short (-x, -xVALUE) or
// long (--long, --long=VALUE).
func givesOption(args []string, short, long string) bool {
	for _, a := range args {
		if a == long || strings.HasPrefix(a, long+"=") || (short != "" && strings.HasPrefix(a, short)) {
			return true
		}
	}
	return false
}

package doctor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rl-containers/rl/rootless/network"
)

func networkChecks() []check {
	return []check{
		{id: "network.slirp4netns", run: func(h *Host) Result { return checkBackend(h, network.Slirp4netns, "slirp4netns", true) }, dflt: true},
		{id: "network.pasta", run: func(h *Host) Result { return checkBackend(h, network.Pasta, "passt", false) }},
		{id: "network.tun", run: checkTun, dflt: true},
		{id: "network.ports", run: checkPorts},
		{id: "network.ping", run: checkPing},
		{id: "network.netavark", run: checkNetavark},
	}
}

// checkBackend: a user-mode network's helper, and its version.
func checkBackend(h *Host, name, pkg string, dflt bool) Result {
	if name == network.Pasta && h.root() {
		return Result{Status: NA, Found: "rl refuses pasta for real root (it drops its privileges before it joins the container)"}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		r := Result{Status: Warn, Found: name + " is not on PATH", Breaks: "--network " + name, Fix: installFix(pkg, pkg, pkg), Root: true}
		if dflt {
			r.Status, r.Breaks = Fail, "containers with the default network (--network none and host work)"
		}
		return r
	}
	out, err := exec.CommandContext(h.ctx, p, "--version").CombinedOutput()
	version, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if err != nil {
		return Result{Status: Fail, Found: p + " --version: " + err.Error(), Breaks: "--network " + name, Fix: installFix(pkg, pkg, pkg), Root: true}
	}
	return Result{Status: OK, Found: p + ": " + version}
}

// checkTun: slirp4netns and pasta make the container's tap0 through
// /dev/net/tun, opened with the user's rights.
func checkTun(h *Host) Result {
	dev := h.sys("/dev/net/tun")
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	if err == nil {
		f.Close()
		return Result{Status: OK, Found: dev + " is usable"}
	}
	r := Result{Status: Fail, Found: err.Error(), Breaks: "user-mode networks (slirp4netns, pasta): only --network none and host work", Root: true,
		Fix: "chmod 0666 " + dev + ` && echo 'KERNEL=="tun", MODE="0666"' > /etc/udev/rules.d/99-rl-tun.rules`}
	if errors.Is(err, os.ErrNotExist) {
		r.Fix = "modprobe tun && echo tun > /etc/modules-load.d/rl-tun.conf"
	}
	return r
}

// checkPorts: publishing a host port below ip_unprivileged_port_start
// needs privileges.
func checkPorts(h *Host) Result {
	v, ok := h.sysctl("net.ipv4.ip_unprivileged_port_start")
	if !ok {
		return Result{Status: NA, Found: "no net.ipv4.ip_unprivileged_port_start"}
	}
	n, _ := strconv.Atoi(v)
	found := "net.ipv4.ip_unprivileged_port_start = " + v
	if n <= 80 || h.root() {
		return Result{Status: OK, Found: found}
	}
	return Result{Status: Warn, Found: found, Breaks: fmt.Sprintf("-p on host ports below %d (-p 80:80); higher ones work (-p 8080:80)", n),
		Fix: sysctlFix("net.ipv4.ip_unprivileged_port_start", "80"), Root: true}
}

// checkPing: slirp4netns and pasta carry a container's ping through
// ICMP datagram sockets, which ping_group_range must allow the user's
// group.
func checkPing(h *Host) Result {
	v, ok := h.sysctl("net.ipv4.ping_group_range")
	if !ok {
		return Result{Status: NA, Found: "no net.ipv4.ping_group_range"}
	}
	found := fmt.Sprintf("net.ipv4.ping_group_range = %s; your group is %d", v, h.GID)
	lo, hi, ok := network.ParsePingRange(v)
	if h.root() || ok && lo <= h.GID && h.GID <= hi {
		return Result{Status: OK, Found: found}
	}
	return Result{Status: Fail, Found: found, Breaks: "ping from containers to other hosts",
		Fix: sysctlFix("net.ipv4.ping_group_range", "0 2147483647"), Root: true}
}

// netavarkDirs are where distributions install podman's network helpers.
var netavarkDirs = []string{"/usr/libexec/podman", "/usr/lib/podman", "/usr/local/libexec/podman", "/usr/local/lib/podman"}

// checkNetavark: netavark and aardvark-dns, for user-defined networks.
func checkNetavark(*Host) Result {
	var found, missing []string
	for _, name := range []string{"netavark", "aardvark-dns"} {
		if p := findHelper(name); p != "" {
			found = append(found, p)
		} else {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return Result{Status: OK, Found: strings.Join(found, ", ")}
	}
	return Result{Status: Warn, Found: strings.Join(missing, " and ") + " not found in " + strings.Join(netavarkDirs, ", ") + " or on PATH",
		Breaks: "user-defined networks (rl network create) and their DNS", Fix: installFix("netavark aardvark-dns", "netavark aardvark-dns", "netavark aardvark-dns"), Root: true}
}

// findHelper is the path of podman's helper name, or "".
func findHelper(name string) string {
	for _, d := range netavarkDirs {
		if p := filepath.Join(d, name); isExecutable(p) {
			return p
		}
	}
	p, _ := exec.LookPath(name)
	return p
}

// isExecutable is true for a regular file with an execute bit.
func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

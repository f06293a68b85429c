package netns

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rl-containers/rl/rootless/containersconf"
	"github.com/rl-containers/rl/rootless/netconfig"
)

// ErrNoHelper is returned when netavark or aardvark-dns is not installed.
var ErrNoHelper = errors.New("network helper not installed")

// helperDirs are where podman's packages put netavark and aardvark-dns,
// searched after PATH, as podman's helper_binaries_dir default.
var helperDirs = []string{"/usr/local/libexec/podman", "/usr/local/lib/podman", "/usr/libexec/podman", "/usr/lib/podman"}

// searchDirs are containers.conf's helper_binaries_dir, where it is set,
// else helperDirs.
func searchDirs() ([]string, error) {
	conf, err := containersconf.Load(containersconf.Paths(os.Getenv, os.Getuid()), func(string) bool { return false })
	if err != nil {
		return nil, err
	}
	if dirs := conf.Engine.HelperBinariesDir; len(dirs) > 0 {
		return dirs, nil
	}
	return helperDirs, nil
}

// findHelper finds the program name (netavark, aardvark-dns) on PATH or in
// dirs, podman's helper directories.
func findHelper(name string, dirs []string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	if p := lookIn(name, dirs); p != "" {
		return p, nil
	}
	return "", fmt.Errorf("%w: %s is neither on PATH nor in %s (hint: install the package %s)",
		ErrNoHelper, name, strings.Join(dirs, ", "), name)
}

// lookIn is the first of dirs that holds name as an executable file, that
// file; "" when none does.
func lookIn(name string, dirs []string) string {
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// helperPaths are the programs that make user-defined networks.
type helperPaths struct{ Netavark, Aardvark string }

// CheckHelpers fails, with the package to install, when netavark or
// aardvark-dns cannot be found.
func CheckHelpers() error {
	_, err := lookHelpers()
	return err
}

// lookHelpers finds netavark and aardvark-dns.
func lookHelpers() (helperPaths, error) {
	var h helperPaths
	dirs, err := searchDirs()
	if err != nil {
		return h, err
	}
	if h.Netavark, err = findHelper("netavark", dirs); err != nil {
		return h, err
	}
	h.Aardvark, err = findHelper("aardvark-dns", dirs)
	return h, err
}

// setupInput is netavark's setup and teardown input (its NetworkOptions).
type setupInput struct {
	ContainerID   string                        `json:"container_id"`
	ContainerName string                        `json:"container_name"`
	PortMappings  []portMapping                 `json:"port_mappings,omitempty"`
	Networks      map[string]perNetwork         `json:"networks"`
	NetworkInfo   map[string]*netconfig.Network `json:"network_info"`
}

// perNetwork is the container's place on one network, as netavark takes
// it: the addresses are chosen by rl (IPAM host-local is the caller's
// job, as with podman).
type perNetwork struct {
	StaticIPs     []string `json:"static_ips"`
	Aliases       []string `json:"aliases,omitempty"`
	InterfaceName string   `json:"interface_name"`
	StaticMAC     string   `json:"static_mac,omitempty"`
}

// portMapping is a published port in netavark's form.
type portMapping struct {
	HostIP        string `json:"host_ip"`
	ContainerPort int    `json:"container_port"`
	HostPort      int    `json:"host_port"`
	Range         int    `json:"range"`
	Protocol      string `json:"protocol"`
}

// Status is netavark's setup output for one network.
type Status struct {
	DNSSearchDomains []string             `json:"dns_search_domains"`
	DNSServerIPs     []string             `json:"dns_server_ips"`
	Interfaces       map[string]Interface `json:"interfaces"`
}

// Interface is a container's interface on a network.
type Interface struct {
	MAC     string `json:"mac_address"`
	Subnets []struct {
		IPNet   string `json:"ipnet"`
		Gateway string `json:"gateway"`
	} `json:"subnets"`
}

// netavark runs `netavark setup|teardown NSPATH` in the rootless netns
// of h (its holder runs it), with in as its input, and returns its
// output. The container's network namespace is first bound at nsPath
// from bindFrom (its /proc/PID/ns/net), when given, and let go of after,
// with release.
func (helpers helperPaths) netavark(h holder, verb, nsPath string, in setupInput, bindFrom string, release bool) ([]byte, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req := request{
		Args:  []string{helpers.Netavark, "--config", configDir(h.dir), "--rootless=true", "--aardvark-binary=" + helpers.Aardvark, verb, nsPath},
		Stdin: b,
	}
	if bindFrom != "" {
		req.Bind, req.BindFrom = nsPath, bindFrom
	}
	if release {
		req.Unbind = nsPath
	}
	start := time.Now()
	res, err := ask(h.dir, req)
	slog.Debug("netavark", "verb", verb, "took", time.Since(start))
	if err != nil {
		return nil, fmt.Errorf("netavark %s: %w (%s)", verb, err, netavarkError(res.Stdout, res.Stderr))
	}
	return res.Stdout, nil
}

// netavarkError is netavark's own message: the "error" of its JSON
// answer, else its last line on stderr.
func netavarkError(out, stderr []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(out, &e) == nil && e.Error != "" {
		return e.Error
	}
	lines := strings.Split(strings.TrimSpace(string(stderr)), "\n")
	return lines[len(lines)-1]
}

// enter is nsenter into the user namespace of pid (as its root, with
// every capability there: we own it); the command to run follows in
// Args. Go cannot setns(2) into a user namespace once it has threads, so
// a program of util-linux does.
func enter(pid int) *exec.Cmd {
	return exec.Command("nsenter", "--target", strconv.Itoa(pid), "--user", "--")
}

// sbinPath is env with /usr/sbin and /sbin at the front of its PATH when
// they are not on it (podman adds them at the end): netavark runs
// iptables and nft from there, 18 times a setup, and Debian leaves them
// off a user's PATH, whose other directories would each cost a failed
// execve(2) first.
func sbinPath(env []string) []string {
	out := slices.Clone(env)
	i := slices.IndexFunc(out, func(kv string) bool { return strings.HasPrefix(kv, "PATH=") })
	if i < 0 {
		return append(out, "PATH=/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin")
	}
	dirs := strings.Split(strings.TrimPrefix(out[i], "PATH="), ":")
	var missing []string
	for _, d := range []string{"/usr/sbin", "/sbin"} {
		if !slices.Contains(dirs, d) {
			missing = append(missing, d)
		}
	}
	out[i] = "PATH=" + strings.Join(append(missing, dirs...), ":")
	return out
}

package monitor

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
)

// etcMounts writes the container's /etc/hostname, /etc/hosts and (with a
// network) /etc/resolv.conf into its run dir and returns the bind mounts
// that put them in place. A file the user mounts there (-v) wins, as in
// podman.
func etcMounts(c *store.Container, o config.Net, hostname string, user []spec.Mount) ([]spec.Mount, error) {
	hosts := network.Hosts{Hostname: hostname, Name: c.State.Name, Extra: o.AddHosts}
	userMode := o.Mode.OwnStack()
	if userMode {
		hosts.IP = network.Address
		if o.Mode.AllowHostLoopback {
			hosts.HostGateway = network.Gateway
		}
	}
	files := map[string][]byte{
		"/etc/hostname": []byte(hostname + "\n"),
		"/etc/hosts":    network.HostsFile(hosts),
	}
	if o.Mode.Name != network.None {
		host, err := os.ReadFile("/etc/resolv.conf")
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("reading the host's resolv.conf: %w", err)
		}
		nameservers := o.DNS
		if len(nameservers) == 0 && userMode {
			nameservers = []string{network.DNS}
		}
		// With the host's network, the host's file as it is (its loopback
		// resolver is reachable), unless --dns or --dns-search change it.
		files["/etc/resolv.conf"] = host
		if userMode || len(o.DNS) > 0 || len(o.DNSSearch) > 0 {
			files["/etc/resolv.conf"] = network.ResolvConf(host, nameservers, o.DNSSearch)
		}
		files["/etc/resolv.conf"] = network.WithDNSOptions(files["/etc/resolv.conf"], o.DNSOptions)
	}
	var mounts []spec.Mount
	for _, dst := range slices.Sorted(maps.Keys(files)) {
		if slices.ContainsFunc(user, func(m spec.Mount) bool { return m.Destination == dst }) {
			continue
		}
		src := filepath.Join(c.RunDir(), filepath.Base(dst))
		if err := os.WriteFile(src, files[dst], 0o644); err != nil {
			return nil, fmt.Errorf("writing the container's %s: %w", dst, err)
		}
		mounts = append(mounts, spec.Mount{Kind: spec.Bind, Source: src, Destination: dst})
	}
	return mounts, nil
}

package rootless

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
)

// NetOptions are rl run's network flags, parsed.
type NetOptions struct {
	Mode       network.Mode
	Ports      []network.PortMapping
	PublishAll bool     // -P: publish the image's EXPOSE ports on free host ports
	DNS        []string // --dns: nameservers instead of the network's forwarder
	DNSSearch  []string // --dns-search
	AddHosts   []string // --add-host NAME:IP, validated
}

// validate checks what needs nothing but the options.
func (o NetOptions) validate() error {
	if (len(o.Ports) > 0 || o.PublishAll) && !o.Mode.OwnStack() {
		return fmt.Errorf("cannot publish ports with --network %s: the container has no network of its own to forward to; use --network slirp4netns or pasta", o.Mode.Name)
	}
	if (len(o.DNS) > 0 || len(o.DNSSearch) > 0) && o.Mode.Name == network.None {
		return errors.New("--dns and --dns-search need a network: drop them or use --network slirp4netns or pasta")
	}
	start := network.UnprivilegedPortStart()
	if os.Getuid() == 0 {
		start = 0 // real root binds any port
	}
	return network.CheckPorts(o.Ports, start)
}

// ports are the ports to publish: -p's, and with -P the image's exposed
// ones on free host ports.
func (o NetOptions) ports(img spec.ImageConfig) ([]network.PortMapping, error) {
	ports := slices.Clone(o.Ports)
	if !o.PublishAll {
		return ports, nil
	}
	for _, p := range img.ExposedPorts {
		ms, err := network.ParsePublish(p)
		if err != nil {
			return nil, fmt.Errorf("the image's exposed port %q: %w", p, err)
		}
		ports = append(ports, ms...)
	}
	return ports, nil
}

// netStateDir is where the container's network helpers keep their sockets
// and logs: short, because a unix socket's path has at most 108 bytes.
func (c *container) netStateDir() string {
	return filepath.Join(c.store.RunRoot, "net", c.state.ID[:12])
}

// etcMounts writes the container's /etc/hostname, /etc/hosts and (with a
// network) /etc/resolv.conf into its run dir and returns the bind mounts
// that put them in place. A file the user mounts there (-v) wins, as in
// podman.
func (c *container) etcMounts(o NetOptions, hostname string, user []spec.Mount) ([]spec.Mount, error) {
	hosts := network.Hosts{Hostname: hostname, Name: c.state.Name, Extra: o.AddHosts}
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
	}
	var mounts []spec.Mount
	for _, dst := range slices.Sorted(maps.Keys(files)) {
		if slices.ContainsFunc(user, func(m spec.Mount) bool { return m.Destination == dst }) {
			continue
		}
		src := filepath.Join(c.runDir(), filepath.Base(dst))
		if err := os.WriteFile(src, files[dst], 0o644); err != nil {
			return nil, fmt.Errorf("writing the container's %s: %w", dst, err)
		}
		mounts = append(mounts, spec.Mount{Kind: spec.Bind, Source: src, Destination: dst})
	}
	return mounts, nil
}

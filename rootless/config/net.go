package config

import (
	"fmt"
	"os"
	"slices"

	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
)

// Net is a container's network, as rl run's network flags asked for it.
type Net struct {
	Mode       network.Mode
	Ports      []network.PortMapping
	PublishAll bool     // -P: publish the image's EXPOSE ports on free host ports
	DNS        []string // --dns: nameservers instead of the network's forwarder
	DNSSearch  []string // --dns-search
	// DNSOptions are --dns-opt's resolver options, which replace the
	// options line of resolv.conf.
	DNSOptions []string
	AddHosts   []string // --add-host: NAME:IP, the address canonical
}

// Validate checks the host ports against the machine: the user may bind
// none below net.ipv4.ip_unprivileged_port_start, unless rl runs as real
// root.
func (o Net) Validate() error {
	start := network.UnprivilegedPortStart()
	if os.Getuid() == 0 {
		start = 0 // real root binds any port
	}
	return network.CheckPorts(o.Ports, start)
}

// Published are the ports to publish: -p's, and with -P the image's exposed
// ones on free host ports.
func (o Net) Published(img spec.ImageConfig) ([]network.PortMapping, error) {
	ports := slices.Clone(o.Ports)
	if !o.PublishAll {
		return ports, nil
	}
	for _, p := range img.ExposedPorts {
		ms, err := network.ExposedPorts(p)
		if err != nil {
			return nil, fmt.Errorf("the image's exposed port %q: %w", p, err)
		}
		ports = append(ports, ms...)
	}
	return ports, nil
}

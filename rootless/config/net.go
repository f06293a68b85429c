package config

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
)

// Net are rl run's network flags, parsed.
type Net struct {
	Mode       network.Mode
	Ports      []network.PortMapping
	PublishAll bool     // -P: publish the image's EXPOSE ports on free host ports
	DNS        []string // --dns: nameservers instead of the network's forwarder
	DNSSearch  []string // --dns-search
	AddHosts   []string // --add-host NAME:IP, validated
}

// validate checks what needs nothing but the options.
func (o Net) Validate() error {
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

// Published are the ports to publish: -p's, and with -P the image's exposed
// ones on free host ports.
func (o Net) Published(img spec.ImageConfig) ([]network.PortMapping, error) {
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

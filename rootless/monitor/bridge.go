package monitor

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/netconfig"
	"github.com/rl-containers/rl/rootless/netns"
	"github.com/rl-containers/rl/rootless/store"
)

// bridgeAttach returns the launch's Attach for a container on
// user-defined networks: it resolves the networks now (one removed since
// the container was made fails the start), and, once rl-init's network
// namespace exists, attaches it through the store's rootless netns and
// writes the container's /etc/hosts and resolv.conf with its address and
// the networks' DNS, before rl-init binds them; the front end leaves the
// teardown to a process of its own (DetachLater). A pod's infra container
// has the pod's name for an alias, as in podman.
func bridgeAttach(c *store.Container, opts config.Container, hostname string) (func(pid int) (string, func(), error), error) {
	o := opts.Net
	var podName string
	if c.State.PodID != "" {
		p, err := c.Store.LoadPod(c.State.PodID)
		if err != nil {
			return nil, err
		}
		podName = p.Name
	}
	nets := make([]netns.Net, 0, len(o.Mode.Networks))
	for _, a := range o.Mode.Networks {
		n, err := netconfig.New(c.Store).Load(a.Network)
		if err != nil {
			return nil, err
		}
		if podName != "" {
			a.Aliases = append(slices.Clone(a.Aliases), podName)
		}
		nets = append(nets, netns.Net{Config: n, Attachment: a})
	}
	ns := Namespace(c.Store)
	return func(pid int) (string, func(), error) {
		res, err := ns.Attach(netns.Container{ID: c.State.ID, Name: c.State.Name, Pid: pid, Networks: nets})
		if err != nil {
			return "", nil, err
		}
		detach := func() {
			// The front end's caller waits for its exit; the monitor's
			// waits for nobody.
			if !IsMonitor() && ns.DetachLater(c.State.ID, pid) == nil {
				return
			}
			if err := ns.Detach(c.State.ID); err != nil {
				slog.Warn("taking the container off its networks", "id", c.State.ID, "err", err)
			}
		}
		if err := WriteNetworkFiles(c, o, hostname, res); err != nil {
			detach()
			return "", nil, err
		}
		return res.IPs[0], detach, nil
	}, nil
}

// Namespace is the rootless netns of the store s, which serves the
// containers of its run root.
func Namespace(s store.Store) netns.Namespace {
	return netns.Namespace{Dir: filepath.Join(s.RunRoot, "netns")}
}

// WriteNetworkFiles rewrites, in place, the /etc/hosts and resolv.conf of
// container c on user-defined networks for what res says of them (its
// first address, their name servers): at its start, and when it is
// connected to one more network, as podman updates them.
func WriteNetworkFiles(c *store.Container, o config.Net, hostname string, res *netns.Result) error {
	files := map[string][]byte{}
	if err := networkFiles(files, c, o, hostname, res); err != nil {
		return err
	}
	for dst, b := range files {
		// In place: the container has the file bound, not its name.
		if err := os.WriteFile(filepath.Join(c.RunDir(), filepath.Base(dst)), b, 0o644); err != nil {
			return fmt.Errorf("writing the container's %s: %w", dst, err)
		}
	}
	return nil
}

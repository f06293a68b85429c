package monitor

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/netns"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
)

// etcMounts writes the container's /etc/hostname, /etc/hosts and (with a
// network) /etc/resolv.conf into its run dir and returns the bind mounts
// that put them in place. A container that joins the network of another,
// owner, gets that one's /etc/hosts and resolv.conf, the same files, as
// in podman. A file the user mounts there (-v) wins, as in podman.
func etcMounts(c *store.Container, o config.Net, hostname string, owner *store.Container, user []spec.Mount) ([]spec.Mount, error) {
	files := map[string][]byte{"/etc/hostname": []byte(hostname + "\n")}
	shared := map[string]string{} // destination → the owner's file
	if owner != nil {
		for _, dst := range []string{"/etc/hosts", "/etc/resolv.conf"} {
			if src := filepath.Join(owner.RunDir(), filepath.Base(dst)); fileExists(src) {
				shared[dst], files[dst] = src, nil
			}
		}
	} else if err := networkFiles(files, c, o, hostname, nil); err != nil {
		return nil, err
	}
	var mounts []spec.Mount
	for _, dst := range slices.Sorted(maps.Keys(files)) {
		if slices.ContainsFunc(user, func(m spec.Mount) bool { return m.Destination == dst }) {
			continue
		}
		src, ok := shared[dst]
		if !ok {
			src = filepath.Join(c.RunDir(), filepath.Base(dst))
			if err := os.WriteFile(src, files[dst], 0o644); err != nil {
				return nil, fmt.Errorf("writing the container's %s: %w", dst, err)
			}
		}
		mounts = append(mounts, spec.Mount{Kind: spec.Bind, Source: src, Destination: dst, Generated: !ok})
	}
	return mounts, nil
}

// networkFiles adds to files the container's /etc/hosts and, with a
// network, its /etc/resolv.conf. A container on user-defined networks has
// its address and their DNS servers in them once attached (bridge).
func networkFiles(files map[string][]byte, c *store.Container, o config.Net, hostname string, bridge *netns.Result) error {
	hosts := network.Hosts{Hostname: hostname, Name: c.State.Name, Extra: o.AddHosts}
	userMode := o.Mode.OwnStack()
	switch {
	case userMode:
		hosts.IP = network.Address
		if o.Mode.AllowHostLoopback {
			hosts.HostGateway = network.Gateway
		}
	case o.Mode.Name == network.Host:
		// The host is the container's own loopback, as podman says.
		hosts.HostGateway = "127.0.0.1"
	}
	search := o.DNSSearch
	if bridge != nil {
		hosts.IP = bridge.IPs[0]
		if len(search) == 0 {
			search = bridge.Search
		}
	}
	files["/etc/hosts"] = network.HostsFile(hosts)
	if o.Mode.Name != network.None {
		host, err := os.ReadFile("/etc/resolv.conf")
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("reading the host's resolv.conf: %w", err)
		}
		nameservers := o.DNS
		if len(nameservers) == 0 && userMode {
			nameservers = []string{network.DNS}
		}
		if len(nameservers) == 0 && bridge != nil {
			nameservers = bridge.DNS
		}
		// With the host's network, the host's file as it is (its loopback
		// resolver is reachable), unless --dns or --dns-search change it.
		files["/etc/resolv.conf"] = host
		if userMode || o.Mode.Name == network.Bridge || len(o.DNS) > 0 || len(o.DNSSearch) > 0 {
			files["/etc/resolv.conf"] = network.ResolvConf(host, nameservers, search)
		}
		files["/etc/resolv.conf"] = network.WithDNSOptions(files["/etc/resolv.conf"], o.DNSOptions)
	}
	return nil
}

// fileExists is true when path names a file that stat(2) can reach.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// addHostsLine adds line to the /etc/hosts file at path, another
// container's that this one shares, for as long as this one runs: as
// podman does, so that the container's own name resolves in the network
// it joined. It returns the function that takes the line out again. The
// file is rewritten in place, under an flock(2) on it, since it is
// bind-mounted into the containers that share it.
func addHostsLine(path, line string) (func(), error) {
	edit := func(change func(content string) string) error {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		for err = unix.EINTR; errors.Is(err, unix.EINTR); {
			err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		}
		if err != nil {
			return err
		}
		content, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		changed := change(string(content))
		if _, err := f.WriteAt([]byte(changed), 0); err != nil {
			return err
		}
		return f.Truncate(int64(len(changed)))
	}
	add := func(content string) string {
		if content != "" && !strings.HasSuffix(content, "\n") {
			content += "\n"
		}
		return content + line
	}
	if err := edit(add); err != nil {
		return nil, fmt.Errorf("adding the container to %s: %w", path, err)
	}
	return func() {
		err := edit(func(content string) string {
			if i := strings.LastIndex(content, line); i >= 0 {
				return content[:i] + content[i+len(line):]
			}
			return content
		})
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			slog.Debug("taking the container out of the hosts file", "path", path, "err", err)
		}
	}, nil
}

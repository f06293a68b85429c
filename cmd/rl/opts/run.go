package opts

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/userns"
)

// Run are the flags of rl run and rl create as the command line gives
// them; Container parses and checks them.
type Run struct {
	Rootfs string
	// Entrypoint replaces the image's when EntrypointSet, even when "".
	Entrypoint    string
	EntrypointSet bool
	Name          string
	Hostname      string
	Env, EnvFiles []string
	Workdir       string
	User          string
	Volumes       []string
	Mount         []string // --mount
	VolumesFrom   []string
	Tmpfs         []string
	ReadOnly      bool
	ReadOnlyTmpfs bool
	// HTTPProxy passes rl's proxy variables into the container (podman's
	// --http-proxy, on by default).
	HTTPProxy     bool
	Remove        bool
	Interactive   bool
	TTY           bool
	Init          bool
	Userns        string
	UIDMaps       []string
	GIDMaps       []string
	Network       Network
	Resources     Resources
	CgroupManager string
	CgroupParent  string
	Limits        string
	PreserveFDs   int
	Pull          string
	TLSVerify     bool
	Quiet         bool
	Restart       string
	Pod           string
	// Detach is rl run -d, and rl create (whose containers a monitor
	// starts later).
	Detach         bool
	HealthCmd      string
	HealthInterval time.Duration
	HealthRetries  int
	Security       Security
	// Process holds --ulimit (Ulimits), --umask, --group-add and the
	// other flags of the container's process.
	Process
	Labels, LabelFiles []string
	// DNSOptions are --dns-opt's.
	DNSOptions []string
	LogDriver  string
	LogOpts    []string
	// Lifecycle holds the flags of the container's lifecycle (stop signal, timeout, health, attach).
	Lifecycle Lifecycle
}

// Container parses the flags and the command line's arguments (IMAGE
// [COMMAND...], or COMMAND... with --rootfs) into the container to make,
// and checks what needs nothing but the flags.
func (f Run) Container(args []string) (config.Container, error) {
	c := config.Container{
		Rootfs: f.Rootfs, Command: args, Name: f.Name, Hostname: f.Hostname,
		Pull: f.Pull, Registry: image.Options{TLSVerify: f.TLSVerify, Quiet: f.Quiet},
		Workdir: f.Workdir, User: f.User, ReadOnly: f.ReadOnly, ReadOnlyTmpfs: f.ReadOnlyTmpfs,
		Remove: f.Remove, Interactive: f.Interactive, TTY: f.TTY, Init: f.Init,
		PreserveFDs: f.PreserveFDs, Pod: f.Pod,
	}
	if f.Rootfs == "" && len(args) > 0 {
		c.Image, c.Command = args[0], args[1:]
	}
	c.EntrypointSet = f.EntrypointSet
	if f.EntrypointSet {
		c.Entrypoint = ParseEntrypoint(f.Entrypoint)
	}
	var err error
	if c.Labels, err = ParseLabels(f.Labels, f.LabelFiles); err != nil {
		return c, err
	}
	if c.Process, err = f.ParseProcess(); err != nil {
		return c, err
	}
	if c.Userns, c.UsernsSize, err = ParseUserns(f.Userns); err != nil {
		return c, err
	}
	if c.IDMaps, err = ParseIDMaps(f.UIDMaps, f.GIDMaps); err != nil {
		return c, err
	}
	if c.IDMaps != nil && f.Userns != "" {
		return c, fmt.Errorf("--userns %s and --uidmap/--gidmap each make the container's user namespace: give one", f.Userns)
	}
	if c.Net, err = f.Network.Net(); err != nil {
		return c, err
	}
	if c.Net.DNSOptions, err = parseAll(f.DNSOptions, ParseDNSOption); err != nil {
		return c, err
	}
	if len(c.Net.DNSOptions) > 0 && c.Net.Mode.Name == network.Container {
		return c, fmt.Errorf("--dns-opt cannot be used with --network %s: the container uses that container's resolv.conf", c.Net.Mode)
	}
	if c.Security, err = f.Security.Parse(); err != nil {
		return c, err
	}
	if c.Health, err = ParseHealth(f.HealthCmd, f.HealthInterval, f.HealthRetries); err != nil {
		return c, err
	}
	if c.Restart, err = ParseRestart(f.Restart); err != nil {
		return c, err
	}
	if c.Resources, err = f.Resources.Parse(); err != nil {
		return c, err
	}
	if c.Cgroups.Manager, err = ParseCgroupManager(f.CgroupManager); err != nil {
		return c, err
	}
	if c.Cgroups.BestEffort, err = ParseLimits(f.Limits); err != nil {
		return c, err
	}
	c.Cgroups.Parent = f.CgroupParent
	if c.Env, err = ParseEnv(f.Env, f.EnvFiles, os.LookupEnv); err != nil {
		return c, err
	}
	if c.Mounts, c.VolumesFrom, err = f.parseMounts(); err != nil {
		return c, err
	}
	if err := f.lifecycle(&c); err != nil {
		return c, err
	}
	return c, f.check(c)
}

// check refuses flags that contradict each other, or that are wrong by
// themselves but for the engine's own parsing.
func (f Run) check(c config.Container) error {
	if c.Rootfs == "" && c.Image == "" {
		return errors.New("no image or root filesystem given: rl run [OPTIONS] IMAGE [COMMAND [ARG...]] or rl run [OPTIONS] --rootfs DIR COMMAND [ARG...]")
	}
	switch c.Pull {
	case image.PullMissing, image.PullAlways, image.PullNever:
	default:
		return fmt.Errorf("invalid --pull %q: use missing, always or never", c.Pull)
	}
	if err := CheckWorkdir(c.Workdir); err != nil {
		return err
	}
	if err := CheckName(c.Name); err != nil {
		return err
	}
	if err := CheckHostname(c.Hostname); err != nil {
		return err
	}
	restarts := c.Restart.Name != "" && c.Restart.Name != "no"
	switch {
	case restarts && f.Remove:
		return fmt.Errorf("--restart %s and --rm contradict each other: the container would be removed, not restarted; drop one", f.Restart)
	case restarts && !f.Detach:
		return errors.New("--restart needs a monitor to restart the container: add -d")
	case f.PreserveFDs < 0:
		return fmt.Errorf("invalid --preserve-fds %d: must be 0 or more", f.PreserveFDs)
	case f.PreserveFDs > 0 && f.Detach:
		return errors.New("--preserve-fds passes rl's own file descriptors, which a detached container cannot have: run it in the foreground")
	case c.Net.Mode.Name == network.Container && nests(c):
		return fmt.Errorf("%s cannot be used with --network %s: the container joins that container's user namespace with its network", usernsFlag(c), c.Net.Mode)
	case c.Net.Mode.Name == network.Container && c.Pod != "":
		return fmt.Errorf("--network %s cannot be used in a pod: its containers have the pod's network", c.Net.Mode)
	}
	if c.Pod == "" || strings.HasPrefix(c.Pod, "new:") { // new: the pod takes the ports (H5)
		return nil
	}
	// The pod's infra container holds the network, the host name and the
	// user namespace that its containers join.
	switch {
	case len(c.Net.Ports) > 0 || c.Net.PublishAll:
		return errors.New("a pod's containers publish no ports of their own: publish them on the pod (rl pod create -p)")
	case c.Hostname != "":
		return errors.New("a pod's containers have the pod's host name: drop --hostname, or give it to rl pod create")
	case nests(c):
		return fmt.Errorf("%s cannot join a pod: its containers share the pod's user namespace", usernsFlag(c))
	}
	return nil
}

// ParseLimits reads --limits: strict (the default, also "") or
// best-effort, which it returns as true.
func ParseLimits(s string) (bool, error) {
	switch s {
	case "", "strict":
		return false, nil
	case "best-effort":
		return true, nil
	}
	return false, fmt.Errorf("invalid --limits %q: use strict or best-effort", s)
}

// parseAll parses each value with parse, stopping at the first error.
func parseAll[T any](values []string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, v := range values {
		x, err := parse(v)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// nests is true when the container has a user namespace of its own nested
// in the caller's: keep-id, nomap or --uidmap/--gidmap.
func nests(c config.Container) bool {
	return c.IDMaps != nil || c.Userns != userns.ModeDefault
}

// usernsFlag names the flag that nests the container's user namespace.
func usernsFlag(c config.Container) string {
	if c.IDMaps != nil {
		return "--uidmap/--gidmap"
	}
	return "--userns " + string(c.Userns)
}

package network

// Mode names of --network.
const (
	Slirp4netns = "slirp4netns"
	Pasta       = "pasta"
	None        = "none"
	Host        = "host"
	// Container joins the network namespace of another container
	// (container:NAME|ID), as podman's mode of that name.
	Container = "container"
	// Bridge attaches the container to user-defined networks: bridges of
	// netavark's in the rootless network namespace (rootless/netns),
	// named in Mode.Networks. podman's --network bridge is its default
	// network's.
	Bridge = "bridge"
)

// DefaultNetwork is the user-defined network that --network bridge names:
// podman's default one, which always exists.
const DefaultNetwork = "podman"

// Port handlers of slirp4netns's port_handler option: who forwards the
// published ports.
const (
	// PortHandlerRootlesskit forwards them with rootlesskit's builtin
	// driver: fast, but the container sees connections come from the
	// gateway.
	PortHandlerRootlesskit = "rootlesskit"
	// PortHandlerSlirp4netns forwards them with slirp4netns's own API:
	// slower, but keeps the client's source address.
	PortHandlerSlirp4netns = "slirp4netns"
)

// DefaultMTU is the MTU of the user-mode link unless --network sets one:
// slirp4netns's and pasta's own default.
const DefaultMTU = 65520

// The MTUs accepted: 1280 is the least IPv6 allows, 65521 slirp4netns's
// maximum.
const (
	MinMTU = 1280
	MaxMTU = 65521
)

// Mode is a container's network: the user-mode backend (or none, or the
// host's) and its options.
type Mode struct {
	// Name is Slirp4netns, Pasta, None, Host or Container.
	Name string
	// Container (Container) is the container whose network namespace
	// this one joins: as given on the command line, and its full id once
	// created.
	Container string
	// MTU of the container's link, DefaultMTU unless set (slirp4netns:mtu=N,
	// pasta:--mtu,N); 0 for none and host.
	MTU int
	// AllowHostLoopback lets the container reach the host's loopback
	// through the gateway (slirp4netns:allow_host_loopback=true). Off by
	// default, as in podman; never set for pasta.
	AllowHostLoopback bool
	// PortHandler is PortHandlerRootlesskit (the default) or
	// PortHandlerSlirp4netns for slirp4netns, "" for the other modes.
	PortHandler string
	// PastaArgs are the options after "pasta:", split at commas and passed
	// to pasta as they are, but for --mtu, which sets MTU instead.
	PastaArgs []string
	// Networks (Bridge) are the user-defined networks to attach to, the
	// first one first.
	Networks []Attachment `json:",omitempty"`
}

// Attachment is a container's place on one user-defined network.
type Attachment struct {
	// Network is the network's name.
	Network string
	// Aliases are more names that resolve to the container on it.
	Aliases []string `json:",omitempty"`
	// IP is the address asked for (--ip, ip=), "" for a free one.
	IP string `json:",omitempty"`
	// MAC is the interface's address asked for (--mac-address, mac=).
	MAC string `json:",omitempty"`
	// Interface is the interface's name in the container
	// (interface_name=), "" for ethN, N its place among the networks.
	Interface string `json:",omitempty"`
}

// String is the mode as podman's inspect shows it (HostConfig.NetworkMode):
// its name, or container:ID.
func (m Mode) String() string {
	if m.Name == Container {
		return Container + ":" + m.Container
	}
	return m.Name
}

// OwnStack is true for the modes that give the container a user-mode
// network of its own (slirp4netns, pasta), rather than none or the host's.
func (m Mode) OwnStack() bool { return m.Name == Slirp4netns || m.Name == Pasta }

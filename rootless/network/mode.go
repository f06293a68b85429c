package network

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Mode names of --network.
const (
	Slirp4netns = "slirp4netns"
	Pasta       = "pasta"
	None        = "none"
	Host        = "host"
)

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
	minMTU = 1280
	maxMTU = 65521
)

// Mode is a parsed --network value, in podman's syntax: NAME[:OPTIONS].
type Mode struct {
	// Name is Slirp4netns, Pasta, None or Host.
	Name string
	// MTU of the container's link, DefaultMTU unless set (slirp4netns:mtu=N,
	// pasta:--mtu,N); 0 for none and host.
	MTU int
	// AllowHostLoopback lets the container reach the host's loopback
	// through the gateway (slirp4netns:allow_host_loopback=true). Off by
	// default, as in podman; ParseMode leaves it off for pasta.
	AllowHostLoopback bool
	// PortHandler is PortHandlerRootlesskit (the default) or
	// PortHandlerSlirp4netns for slirp4netns, "" for the other modes.
	PortHandler string
	// PastaArgs are the options after "pasta:", split at commas and passed
	// to pasta as they are, but for --mtu, which sets MTU instead.
	PastaArgs []string
}

// slirpUsage lists slirp4netns's options, for errors.
const slirpUsage = "use mtu=N, allow_host_loopback=true|false or port_handler=rootlesskit|slirp4netns"

// OwnStack is true for the modes that give the container a user-mode
// network of its own (slirp4netns, pasta), rather than none or the host's.
func (m Mode) OwnStack() bool { return m.Name == Slirp4netns || m.Name == Pasta }

// ParseMode parses a --network value; "" is the default, slirp4netns.
// slirp4netns takes the comma-separated options mtu, allow_host_loopback
// and port_handler (slirp4netns:mtu=1500,port_handler=slirp4netns); pasta
// takes pasta's own arguments (pasta:--mtu,1500,-T,8080); none and host
// take none.
func ParseMode(s string) (Mode, error) {
	if s == "" {
		s = Slirp4netns
	}
	name, opts, hasOpts := strings.Cut(s, ":")
	var m Mode
	var err error
	switch name {
	case Slirp4netns:
		m = Mode{Name: Slirp4netns, MTU: DefaultMTU, PortHandler: PortHandlerRootlesskit}
		if hasOpts {
			err = m.setSlirpOptions(strings.Split(opts, ","))
		}
	case Pasta:
		m = Mode{Name: Pasta, MTU: DefaultMTU}
		if hasOpts {
			err = m.setPastaArgs(strings.Split(opts, ","))
		}
	case None, Host:
		m = Mode{Name: name}
		if hasOpts {
			err = fmt.Errorf("%s takes no options", name)
		}
	default:
		return Mode{}, fmt.Errorf("invalid --network %q: use slirp4netns, pasta, none or host", s)
	}
	if err != nil {
		return Mode{}, fmt.Errorf("invalid --network %q: %w", s, err)
	}
	return m, nil
}

// setSlirpOptions applies slirp4netns's KEY=VALUE options; a later one
// wins over an earlier one.
func (m *Mode) setSlirpOptions(opts []string) error {
	for _, o := range opts {
		key, value, _ := strings.Cut(o, "=")
		switch key {
		case "mtu":
			mtu, err := parseMTU(value)
			if err != nil {
				return err
			}
			m.MTU = mtu
		case "allow_host_loopback":
			b, err := strconv.ParseBool(value)
			if err != nil {
				return fmt.Errorf("invalid allow_host_loopback %q: want true or false", value)
			}
			m.AllowHostLoopback = b
		case "port_handler":
			if value != PortHandlerRootlesskit && value != PortHandlerSlirp4netns {
				return fmt.Errorf("invalid port_handler %q: want rootlesskit or slirp4netns", value)
			}
			m.PortHandler = value
		default:
			return fmt.Errorf("unknown option %q: %s", o, slirpUsage)
		}
	}
	return nil
}

// setPastaArgs keeps pasta's arguments, but for its MTU option (--mtu N,
// --mtu=N, -m N, -mN, or --mt, which getopt takes for --mtu), which goes
// to m.MTU: rl always gives pasta an --mtu, and pasta refuses two.
func (m *Mode) setPastaArgs(args []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "" {
			return errors.New("empty pasta argument: write pasta:ARG,ARG,... (pasta:--mtu,1500)")
		}
		name, value, hasValue := strings.Cut(a, "=")
		switch {
		case name == "--mtu" || name == "--mt" || a == "-m":
			if !hasValue {
				if i+1 == len(args) {
					return fmt.Errorf("pasta option %s needs a value (%s,1500)", a, a)
				}
				i++
				value = args[i]
			}
		case strings.HasPrefix(a, "-m") && !strings.HasPrefix(a, "--"):
			value = a[2:]
		default:
			m.PastaArgs = append(m.PastaArgs, a)
			continue
		}
		mtu, err := parseMTU(value)
		if err != nil {
			return err
		}
		m.MTU = mtu
	}
	return nil
}

// parseMTU parses an MTU option's value.
func parseMTU(s string) (int, error) {
	mtu, err := strconv.Atoi(s)
	if err != nil || mtu < minMTU || mtu > maxMTU {
		return 0, fmt.Errorf("invalid mtu %q: want a number from %d to %d", s, minMTU, maxMTU)
	}
	return mtu, nil
}

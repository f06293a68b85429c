package netns

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/netconfig"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/store"
)

// Net is one network a container is to be attached to: its configuration
// and what the container asked for on it.
type Net struct {
	Config *netconfig.Network
	network.Attachment
}

// Container is what Attach needs to know of a container.
type Container struct {
	ID, Name string
	// Pid is the container's rl-init, whose network namespace it is; it
	// must be in the caller's shared user namespace.
	Pid      int
	Networks []Net
}

// Result is a container's place on its networks.
type Result struct {
	// IPs are its addresses, by network, in the order of Container.Networks.
	IPs []string
	// DNS are the name servers of its networks that have DNS
	// (aardvark-dns on the gateways), and Search their search domains.
	DNS, Search []string
	// Statuses are netavark's answer, by network name.
	Statuses map[string]Status
}

// state is what the rootless netns's directory records: the containers
// attached, each with the pid and network namespace it was attached with
// (which tell whether it still lives), its addresses and netavark's
// input, which its teardown takes again.
type state struct {
	Containers map[string]*entry `json:"containers"`
	// Isolated are the bridges that the isolation rules were last made
	// for (isolation.go); nil before the first time.
	Isolated *[]string `json:"isolated,omitempty"`
}

type entry struct {
	Pid     int               `json:"pid"`
	NetNS   uint64            `json:"netns"`
	IPs     map[string]string `json:"ips"`
	Bridges []string          `json:"bridges"`
	Input   setupInput        `json:"input"`
	// Statuses are netavark's answer, for inspect.
	Statuses map[string]Status `json:"statuses,omitempty"`
}

// Namespace is the rootless netns of one run root, kept in its directory.
type Namespace struct{ Dir string }

// Attach puts the container c on its networks: the rootless netns is made
// when there is none (or the one recorded is gone), stale attachments are
// torn down, addresses are picked and netavark sets up the container's
// interfaces. The container's network namespace is bind-mounted inside the
// rootless netns's mount namespace (netavark's nsenter does it first), so
// that Detach can tear it down once the container has exited too.
func (ns Namespace) Attach(c Container) (*Result, error) {
	helpers, unlock, err := ns.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	h, st, err := ns.ready(helpers, c.Pid)
	if err != nil {
		return nil, err
	}
	res, err := ns.attach(helpers, h, st, c)
	if err != nil {
		// A rootless netns made for this container alone ends with it.
		ns.stopIfUnused(h, st)
	}
	return res, err
}

// attach is Attach in the rootless netns of h, whose state is st.
func (ns Namespace) attach(helpers helperPaths, h holder, st *state, c Container) (*Result, error) {
	if err := ns.dirs(); err != nil {
		return nil, err
	}
	e := &entry{Pid: c.Pid, NetNS: nsInode(c.Pid, "net"), IPs: map[string]string{}}
	in := setupInput{
		ContainerID: c.ID, ContainerName: c.Name,
		Networks: map[string]perNetwork{}, NetworkInfo: map[string]*netconfig.Network{},
	}
	for i, n := range c.Networks {
		ip, err := allocate(n.Config, n.IP, taken(st, n.Config.Name))
		if err != nil {
			return nil, err
		}
		e.IPs[n.Config.Name] = ip
		e.Bridges = append(e.Bridges, n.Config.NetworkInterface)
		in.Networks[n.Config.Name] = perNetwork{
			StaticIPs: []string{ip}, Aliases: append([]string{c.ID[:12]}, n.Aliases...),
			InterfaceName: cmp.Or(n.Interface, "eth"+strconv.Itoa(i)), StaticMAC: n.MAC,
		}
		in.NetworkInfo[n.Config.Name] = n.Config
	}
	e.Input = in
	nsPath := ns.nsFile(c.ID)
	if err := os.WriteFile(nsPath, nil, 0o600); err != nil {
		return nil, fmt.Errorf("attaching to the networks: %w", err)
	}
	// Recorded before netavark runs: a kill from here on leaves an entry
	// that the next Attach tears down.
	st.Containers[c.ID] = e
	if err := ns.save(st); err != nil {
		return nil, err
	}
	store.Crashpoint("netns")
	// One setup per network, in their order: netavark 1.4 walks a
	// hash map of them, so the interfaces would come in any order.
	e.Statuses = map[string]Status{}
	bindFrom := "/proc/" + strconv.Itoa(c.Pid) + "/ns/net"
	var err error
	for i, n := range c.Networks {
		if i > 0 {
			bindFrom = ""
		}
		if err = helpers.setupOne(h, nsPath, bindFrom, in, n, e.Statuses); err != nil {
			break
		}
	}
	if err == nil {
		err = isolate(h, st)
	}
	if err == nil {
		err = ns.save(st)
	}
	if err != nil {
		ns.teardown(helpers, h, c.ID, e)
		delete(st.Containers, c.ID)
		_ = ns.save(st)
		return nil, fmt.Errorf("attaching to the networks: %w", err)
	}
	names := make([]string, len(c.Networks))
	for i, n := range c.Networks {
		names[i] = n.Config.Name
	}
	return e.result(names), nil
}

// setupOne runs netavark's setup of the container of in on the network n
// alone, adding its answer to statuses, and waits until aardvark-dns,
// which it reloads, answers again. bindFrom is netavark's (its first
// setup binds the container's network namespace at nsPath).
func (helpers helperPaths) setupOne(h holder, nsPath, bindFrom string, in setupInput, n Net, statuses map[string]Status) error {
	name := n.Config.Name
	in.Networks = map[string]perNetwork{name: in.Networks[name]}
	in.NetworkInfo = map[string]*netconfig.Network{name: n.Config}
	gateways := dnsGateways([]Net{n})
	before := dnsSockets(h.Pid, gateways)
	out, err := helpers.netavark(h, "setup", nsPath, in, bindFrom, false)
	if err != nil {
		return err
	}
	awaitDNS(h.Pid, gateways, before)
	var answer map[string]Status
	if err := json.Unmarshal(out, &answer); err != nil {
		return fmt.Errorf("reading netavark's answer: %w", err)
	}
	statuses[name] = answer[name]
	return nil
}

// Detach takes the container id off its networks; the rootless netns ends
// with its last container.
func (ns Namespace) Detach(id string) error {
	return ns.detach(id, func(*entry) bool { return true })
}

// detach is Detach of id's entry where match says it is the one meant.
func (ns Namespace) detach(id string, match func(*entry) bool) error {
	helpers, unlock, err := ns.lock()
	if err != nil {
		return err
	}
	defer unlock()
	h, err := readHolder(ns.Dir)
	if err != nil {
		return nil // no rootless netns: nothing is attached
	}
	st, err := ns.load()
	if err != nil {
		return err
	}
	if !h.alive() {
		h.stop(ns.Dir) // what a dead one left
		return nil
	}
	if e, ok := st.Containers[id]; ok && match(e) {
		ns.teardown(helpers, h, id, e)
		delete(st.Containers, id)
	}
	if err := ns.save(st); err != nil {
		return err
	}
	ns.stopIfUnused(h, st)
	return nil
}

// Statuses returns netavark's answer for the attached container id, by
// network name; nil when it is not attached. It reads without the lock:
// the state file is replaced whole.
func (ns Namespace) Statuses(id string) map[string]Status {
	st, err := ns.load()
	if err != nil || st.Containers[id] == nil {
		return nil
	}
	return st.Containers[id].Statuses
}

// ready returns the live rootless netns (made when there is none, or the
// one recorded is gone or in another user namespace than the container
// userPid) and its state, with the attachments of containers that are
// gone torn down.
func (ns Namespace) ready(helpers helperPaths, userPid int) (holder, *state, error) {
	h, err := readHolder(ns.Dir)
	alive := err == nil && h.alive()
	st, err := ns.load()
	if err != nil {
		return h, nil, err
	}
	if alive {
		gone := false
		for id, e := range st.Containers {
			if nsInode(e.Pid, "net") != e.NetNS || e.NetNS == 0 {
				slog.Debug("tearing down the network of a container that is gone", "id", id)
				ns.teardown(helpers, h, id, e)
				delete(st.Containers, id)
				gone = true
			}
		}
		if gone {
			if err := ns.save(st); err != nil {
				return h, nil, err
			}
		}
	}
	if alive && h.UserNS != nsInode(userPid, "user") {
		if len(st.Containers) > 0 {
			return h, nil, errors.New("attaching to the networks: the container is not in the user namespace of the rootless network namespace (hint: stop the containers on networks, then retry)")
		}
		alive = false // the shared user namespace was made again
	}
	if !alive {
		h.stop(ns.Dir) // what a dead one left
		if h, err = startHolder(ns.Dir, userPid); err != nil {
			h.stop(ns.Dir)
			return h, nil, err
		}
		st = &state{Containers: map[string]*entry{}}
	}
	return h, st, nil
}

// teardown runs netavark's teardown for the attachment e of container
// id, then lets go of its network namespace. Its failures are logged: the
// interfaces go with the container's namespace anyway.
func (ns Namespace) teardown(helpers helperPaths, h holder, id string, e *entry) {
	nsPath := ns.nsFile(id)
	if _, err := helpers.netavark(h, "teardown", nsPath, e.Input, "", true); err != nil {
		slog.Debug("tearing down a container's networks", "id", id, "err", err)
	}
	_ = os.Remove(nsPath)
}

// stopIfUnused ends the rootless netns once no container is attached.
func (ns Namespace) stopIfUnused(h holder, st *state) {
	if len(st.Containers) == 0 {
		h.stop(ns.Dir)
	}
}

// dnsGateways are the gateways of the networks with DNS, where
// aardvark-dns listens.
func dnsGateways(nets []Net) []netip.Addr {
	var out []netip.Addr
	for _, n := range nets {
		if !n.Config.DNSEnabled || len(n.Config.Subnets) == 0 {
			continue
		}
		if g, err := netip.ParseAddr(n.Config.Subnets[0].Gateway); err == nil {
			out = append(out, g)
		}
	}
	return out
}

// taken are the addresses that the containers of st hold on network.
func taken(st *state, network string) map[string]bool {
	t := map[string]bool{}
	for _, e := range st.Containers {
		if ip, ok := e.IPs[network]; ok {
			t[ip] = true
		}
	}
	return t
}

func (ns Namespace) nsFile(id string) string { return filepath.Join(ns.Dir, "ns", id) }

// lock finds the helpers (a change needs them) and takes the rootless
// netns's lock, which orders every change of it.
func (ns Namespace) lock() (helperPaths, func(), error) {
	helpers, err := lookHelpers()
	if err != nil {
		return helpers, nil, err
	}
	if err := os.MkdirAll(ns.Dir, 0o700); err != nil {
		return helpers, nil, fmt.Errorf("locking the rootless network namespace: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(ns.Dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return helpers, nil, fmt.Errorf("locking the rootless network namespace: %w", err)
	}
	for err = unix.EINTR; errors.Is(err, unix.EINTR); {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
	}
	if err != nil {
		f.Close()
		return helpers, nil, fmt.Errorf("locking the rootless network namespace: %w", err)
	}
	return helpers, func() { f.Close() }, nil
}

// dirs makes the directories of the container's network namespaces and
// netavark's configuration.
func (ns Namespace) dirs() error {
	for _, d := range []string{"ns", "netavark"} {
		if err := os.MkdirAll(filepath.Join(ns.Dir, d), 0o700); err != nil {
			return fmt.Errorf("attaching to the networks: %w", err)
		}
	}
	return nil
}

func (ns Namespace) load() (*state, error) {
	st := &state{Containers: map[string]*entry{}}
	b, err := os.ReadFile(filepath.Join(ns.Dir, "state.json"))
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err == nil {
		err = json.Unmarshal(b, st)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the rootless network namespace's state: %w", err)
	}
	if st.Containers == nil {
		st.Containers = map[string]*entry{}
	}
	return st, nil
}

func (ns Namespace) save(st *state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := filepath.Join(ns.Dir, "state.json.new")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("recording the rootless network namespace's state: %w", err)
	}
	return os.Rename(tmp, filepath.Join(ns.Dir, "state.json"))
}

// appendNew appends the values that list does not hold yet.
func appendNew(list []string, values ...string) []string {
	for _, v := range values {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

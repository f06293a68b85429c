// Package tap is the child half of rl's user-mode networks (the parent
// half, which starts slirp4netns or pasta and the port forwarder, is
// package rootless/network, as rootlesskit keeps a driver's ParentDriver
// and ChildDriver together): run by rl-init inside the container's network
// namespace, it brings up loopback, lets the container's groups ping, and
// addresses the tap device the parent half made. It links only x/sys and
// rl's spec, because every container start pays for rl-init's init.
package tap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

// Configure brings up the container's network namespace: loopback
// always, and the user-mode network's tap device when the front end's
// backend left its configuration to us (rootlesskit's slirp4netns driver
// creates tap0 but does not address it). It runs in the process whose user
// namespace owns the network namespace: only that one has CAP_NET_ADMIN
// over it.
func Configure(s *spec.Spec) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := linkUp(fd, "lo"); err != nil {
		return fmt.Errorf("bringing up lo: %w", err)
	}
	if err := allowPing(); err != nil {
		return fmt.Errorf("setting net.ipv4.ping_group_range: %w", err)
	}
	i := s.Interface
	if i == nil {
		return nil
	}
	if err := configureInterface(fd, i); err != nil {
		return fmt.Errorf("configuring %s: %w", i.Dev, err)
	}
	return nil
}

// allowPing lets every group of the container send ICMP echo with a
// datagram socket, as ping does without CAP_NET_RAW: a new network
// namespace starts with net.ipv4.ping_group_range "1 0" (nobody); podman
// sets "0 0". The range is the contiguous run of container gids from 0 in
// our gid map; /proc/sys/net is our network namespace's.
func allowPing() error {
	b, err := os.ReadFile("/proc/self/gid_map")
	if err != nil {
		return err
	}
	last := -1
	for {
		found := false
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) != 3 || f[0] != strconv.Itoa(last+1) {
				continue
			}
			n, err := strconv.Atoi(f[2])
			if err != nil || n < 1 {
				continue
			}
			last, found = last+n, true
		}
		if !found {
			break
		}
	}
	if last < 0 {
		return nil // gid 0 unmapped: nothing to allow
	}
	last = min(last, math.MaxInt32) // the kernel's limit
	return os.WriteFile("/proc/sys/net/ipv4/ping_group_range", []byte(fmt.Sprintf("0 %d", last)), 0)
}

// configureInterface gives i.Dev its MTU and address, brings it up and
// routes everything through i.Gateway.
func configureInterface(fd int, i *spec.Interface) error {
	addr, err := netip.ParsePrefix(i.Address)
	if err != nil {
		return err
	}
	gw, err := netip.ParseAddr(i.Gateway)
	if err != nil {
		return err
	}
	ifr, err := unix.NewIfreq(i.Dev)
	if err != nil {
		return err
	}
	ifr.SetUint32(uint32(i.MTU))
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFMTU, ifr); err != nil {
		return fmt.Errorf("setting the MTU to %d: %w", i.MTU, err)
	}
	ip := addr.Addr().As4()
	if err := ifr.SetInet4Addr(ip[:]); err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFADDR, ifr); err != nil {
		return fmt.Errorf("setting the address %s: %w", addr.Addr(), err)
	}
	maskBytes := binary.BigEndian.AppendUint32(nil, ^uint32(0)<<(32-addr.Bits()))
	if err := ifr.SetInet4Addr(maskBytes); err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFNETMASK, ifr); err != nil {
		return fmt.Errorf("setting the netmask /%d: %w", addr.Bits(), err)
	}
	if err := linkUp(fd, i.Dev); err != nil {
		return err
	}
	index, err := interfaceIndex(fd, i.Dev)
	if err != nil {
		return err
	}
	if err := addDefaultRoute(gw.As4(), index); err != nil {
		return fmt.Errorf("adding the default route via %s: %w", gw, err)
	}
	return nil
}

// linkUp sets the IFF_UP flag on the interface name.
func linkUp(fd int, name string) error {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

func interfaceIndex(fd int, name string) (uint32, error) {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return 0, err
	}
	return ifr.Uint32(), nil
}

// addDefaultRoute adds "default via gw dev index" with one rtnetlink
// request (rtnetlink(7)); there is no ioctl that does it portably.
func addDefaultRoute(gw [4]byte, index uint32) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ne := binary.NativeEndian
	msg := make([]byte, unix.SizeofNlMsghdr, 64)
	msg = append(msg, unix.AF_INET, 0, 0, 0, // family, dst_len, src_len, tos
		unix.RT_TABLE_MAIN, unix.RTPROT_BOOT, unix.RT_SCOPE_UNIVERSE, unix.RTN_UNICAST)
	msg = ne.AppendUint32(msg, 0) // flags
	msg = ne.AppendUint16(msg, unix.SizeofRtAttr+4)
	msg = ne.AppendUint16(msg, unix.RTA_GATEWAY)
	msg = append(msg, gw[:]...)
	msg = ne.AppendUint16(msg, unix.SizeofRtAttr+4)
	msg = ne.AppendUint16(msg, unix.RTA_OIF)
	msg = ne.AppendUint32(msg, index)
	ne.PutUint32(msg[0:], uint32(len(msg)))
	ne.PutUint16(msg[4:], unix.RTM_NEWROUTE)
	ne.PutUint16(msg[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	ne.PutUint32(msg[8:], 1) // sequence number
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	reply := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, reply, 0)
	if err != nil {
		return err
	}
	// The answer is an NLMSG_ERROR message: a header, then the error
	// number (0 for success, as an ack).
	if n >= unix.SizeofNlMsghdr+4 && ne.Uint16(reply[4:]) == unix.NLMSG_ERROR {
		if errno := int32(ne.Uint32(reply[unix.SizeofNlMsghdr:])); errno != 0 {
			return unix.Errno(-errno)
		}
		return nil
	}
	return errors.New("no acknowledgement from rtnetlink")
}

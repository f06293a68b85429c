package netns

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// aardvark-dns reloads its configuration when netavark signals it (each
// setup and teardown), and a reload closes its sockets and binds new
// ones: a container that asks for a name in between gets no answer, and
// "nc web 8080" fails with "bad address". So Attach waits, after the
// setup, until aardvark-dns listens again on each gateway of the
// container's networks with DNS: a UDP socket on GATEWAY:53 other than
// the one before (its inode tells), read from the rootless netns's
// /proc/PID/net/udp, which the host can read.

// dnsTimeout bounds the wait for aardvark-dns, which it checks every
// dnsPoll (a read of /proc/PID/net/udp costs ~50 µs; its reload ~1 ms).
const (
	dnsTimeout = 2 * time.Second
	dnsPoll    = 200 * time.Microsecond
)

// dnsSockets returns the inode of the UDP socket bound to port 53 of each
// of gateways in the network namespace of pid (0 for none).
func dnsSockets(pid int, gateways []netip.Addr) map[netip.Addr]string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/net/udp")
	return udpListeners(string(b), gateways, 53)
}

// udpListeners picks from /proc/net/udp's text the inodes of the sockets
// bound to port on each of addrs; it is pure.
func udpListeners(table string, addrs []netip.Addr, port int) map[netip.Addr]string {
	want := map[string]netip.Addr{}
	for _, a := range addrs {
		b := a.As4()
		// The kernel prints the address as the host-order number of its
		// network-order bytes: reversed on a little-endian machine.
		want[fmt.Sprintf("%02X%02X%02X%02X:%04X", b[3], b[2], b[1], b[0], port)] = a
	}
	out := map[netip.Addr]string{}
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) < 10 {
			continue
		}
		if a, ok := want[f[1]]; ok {
			out[a] = f[9]
		}
	}
	return out
}

// awaitDNS waits until aardvark-dns listens on each of gateways in the
// network namespace of pid with a socket other than before's. One that
// does not within dnsTimeout is warned of: the container runs without
// names, but runs.
func awaitDNS(pid int, gateways []netip.Addr, before map[netip.Addr]string) {
	deadline := time.Now().Add(dnsTimeout)
	for {
		now := dnsSockets(pid, gateways)
		ready := true
		for _, g := range gateways {
			ready = ready && now[g] != "" && now[g] != before[g]
		}
		if ready {
			return
		}
		if time.Now().After(deadline) {
			slog.Warn("aardvark-dns does not listen on the networks' gateways: names may not resolve", "gateways", gateways)
			return
		}
		time.Sleep(dnsPoll)
	}
}

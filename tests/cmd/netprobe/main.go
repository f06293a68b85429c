// Command netprobe is a test helper that runs inside containers, for what
// busybox cannot do: serve UDP, and ping without CAP_NET_RAW. It is built
// statically into tests/bin by `make integration`.
//
//	netprobe udp-echo PORT   answer each datagram on PORT with "echo: " and it
//	netprobe ping ADDR       one ICMP echo through a datagram socket, as an
//	                         unprivileged ping does; exit 0 on a reply
package main

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: netprobe udp-echo PORT | netprobe ping ADDR")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "udp-echo":
		err = udpEcho(os.Args[2])
	case "ping":
		err = ping(os.Args[2])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "netprobe:", err)
		os.Exit(1)
	}
}

func udpEcho(port string) error {
	c, err := net.ListenPacket("udp4", ":"+port)
	if err != nil {
		return err
	}
	buf := make([]byte, 65536)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			return err
		}
		if _, err := c.WriteTo(append([]byte("echo: "), buf[:n]...), from); err != nil {
			return err
		}
	}
}

func ping(addr string) error {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return err
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, unix.IPPROTO_ICMP)
	if err != nil {
		return fmt.Errorf("opening an ICMP datagram socket: %w", err)
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval((3 * time.Second).Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return err
	}
	// Echo request: type 8, code 0, checksum (the kernel fills it in for
	// datagram sockets), id (the kernel sets it), sequence 1, payload.
	msg := []byte{8, 0, 0, 0, 0, 0, 0, 1, 'r', 'l'}
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrInet4{Addr: ip.As4()}); err != nil {
		return fmt.Errorf("sending: %w", err)
	}
	reply := make([]byte, 1500)
	n, _, err := unix.Recvfrom(fd, reply, 0)
	if err != nil {
		return fmt.Errorf("no reply from %s: %w", addr, err)
	}
	if n < 8 || reply[0] != 0 {
		return fmt.Errorf("unexpected ICMP type %d from %s", reply[0], addr)
	}
	fmt.Println("reply from", addr)
	return nil
}

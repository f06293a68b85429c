package network

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Describe says which network backends this machine has, for rl info,
// with warnings for what stops a container's network from working.
func Describe() (string, []string) {
	var have, warnings []string
	for _, b := range []string{Slirp4netns, Pasta} {
		if p, err := exec.LookPath(b); err == nil {
			have = append(have, b+" ("+p+")")
		} else {
			warnings = append(warnings, fmt.Sprintf("%s is not installed: --network %s fails (sudo apt-get install %s)", b, b, map[string]string{Slirp4netns: "slirp4netns", Pasta: "passt"}[b]))
		}
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		warnings = append(warnings, "/dev/net/tun is missing: user-mode networks need the tun module (sudo modprobe tun)")
	}
	if w := pingWarning(); w != "" {
		warnings = append(warnings, w)
	}
	desc := "default slirp4netns; available: " + strings.Join(have, ", ")
	if len(have) == 0 {
		desc = "none available: only --network none and host work"
	}
	return desc, warnings
}

// pingWarning says what to change when the host does not let the user's
// group send ICMP echo without privileges, which slirp4netns and pasta
// need to carry a container's ping.
func pingWarning() string {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ping_group_range")
	if err != nil {
		return ""
	}
	lo, hi, ok := ParsePingRange(string(b))
	gid := os.Getgid()
	if !ok || (lo <= gid && gid <= hi) || os.Getuid() == 0 {
		return ""
	}
	return fmt.Sprintf("ping from containers to other hosts fails: net.ipv4.ping_group_range is \"%d %d\" and does not include your group %d (sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\")", lo, hi, gid)
}

// ParsePingRange reads net.ipv4.ping_group_range: the groups allowed to
// open ICMP datagram sockets, lo to hi ("1 0" allows none).
func ParsePingRange(text string) (lo, hi int, ok bool) {
	f := strings.Fields(text)
	if len(f) != 2 {
		return 0, 0, false
	}
	lo, err1 := strconv.Atoi(f[0])
	hi, err2 := strconv.Atoi(f[1])
	return lo, hi, err1 == nil && err2 == nil
}

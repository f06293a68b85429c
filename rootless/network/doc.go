// Package network gives a rootless container its network: a user-mode
// TCP/IP stack for its net namespace (slirp4netns, started through
// rootlesskit's driver, or pasta), published ports (through rootlesskit's
// builtin port driver), and the /etc/hosts and /etc/resolv.conf that name
// them. It is the parent half and runs in rl, the front end, on the host;
// its child half, which rl-init runs to configure the interface it is
// handed, is package rootless/network/tap.
package network

// Package network gives a rootless container its network: a user-mode
// TCP/IP stack for its net namespace (slirp4netns, started through
// rootlesskit's driver, or pasta), published ports (through rootlesskit's
// builtin port driver), and the /etc/hosts and /etc/resolv.conf that name
// them. It runs in rl, the front end, on the host; rl-init only configures
// the interface it is handed.
package network

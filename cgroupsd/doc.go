// Package cgroupsd puts a container in a cgroup v2 that enforces its
// resource limits: a transient systemd scope with Delegate=yes, asked of
// the user's systemd over D-Bus, or, without a user bus, a cgroup made
// directly in a subtree delegated to the user. A limit that cannot be
// enforced is an error (or, best effort, a warning): never silently
// unlimited. It runs in rl, the front end, on the host.
package cgroupsd

// Package cgroupsd will own cgroup v2 for rl: transient systemd scopes with
// Delegate=yes over the user's D-Bus, and direct writes to a delegated
// subtree. It has no code yet; rl run applies no resource limits and has
// no flags that ask for them.
package cgroupsd

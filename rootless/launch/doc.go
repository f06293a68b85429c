// Package launch is the front end's half of starting rl-init (whose half
// is package rootless/child): the plan of a launch for each variant (a
// container, a pod's infra or member, rl exec, a removal in a user
// namespace), and one runner that carries the plan's steps out: clone,
// uid/gid maps, the network's parent half, cgroup placement and the
// handshake, up to the command's exec. Its callers (the monitor, rl exec)
// wait for the command and record its end. It also relays a container's
// terminal and forwards signals to it.
package launch

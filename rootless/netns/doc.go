// Package netns gives containers their places on user-defined networks,
// rootless, as podman 4 does: one network namespace per run root, owned by
// the caller's shared user namespace (rootless/launch's holder) and held
// by rl itself ("the rootless netns", serve.go), holds a bridge per
// network; netavark, run inside it, creates the bridges, the veth pairs
// into each container's own network namespace and the firewall rules, and
// starts aardvark-dns, which answers the containers' names on each
// network's gateway; slirp4netns, outside, gives the rootless netns its
// way out. It runs in the front end (the monitor of a container, or rl
// run), never in rl-init; docs/networking.md draws the packets' way.
//
// Every change happens under one flock(2) in the rootless netns's
// directory, and the state it keeps there (which containers are attached,
// with which addresses) is written before netavark runs, so that a killed
// rl leaves nothing the next Attach does not repair: an entry whose
// container's network namespace is gone is torn down and dropped, a
// holder that is gone is made again, and the rootless netns ends with its
// last container.
package netns

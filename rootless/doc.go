// Package rootless is rl's container engine, run by the rl front end on the
// host as the calling user: it turns run options into a container spec,
// keeps the container's state on disk, starts rl-init in new namespaces
// (the parent half of the handshake in docs/internal.md), writes its
// uid/gid maps, and supervises the container until it exits.
package rootless

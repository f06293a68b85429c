// Package rootless is rl's container engine, run by the rl front end on
// the host as the calling user: one Engine value whose methods the CLI
// calls (run, create, start, stop, kill, rm, wait, exec, logs, inspect,
// pods, images). It turns a container's configuration into rl-init's spec
// and composes the concept packages below it: the store (records, names,
// locks), the monitor (one start, detached supervision, logs, restart,
// health), launch (the front end's half of starting rl-init), exec, the
// image client and the networks.
package rootless

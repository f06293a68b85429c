// Package opts is rl's command-line grammar, as docker/cli keeps its own in
// opts/: it parses each flag value of rl's commands (sizes, ports, mounts,
// signals, policies, modes) into the typed values the engine takes
// (config.Container, cgroupsd.Resources, network.PortMapping, userns.Mode,
// config.Restart, config.Health, …), and checks what needs nothing but the
// flags themselves. Its errors name the flag; the engine's never do. The
// checks that need the machine or the image (host ports against
// ip_unprivileged_port_start, user names in the image's /etc/passwd) stay
// with the engine.
//
// The front end (cmd/rl) runs it; rl-init never links it. It knows nothing
// of the CLI library: cmd/rl binds the flags to these structs.
package opts

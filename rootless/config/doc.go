// Package config holds a container's configuration as the user asked for
// it, parsed and typed (rl run's and rl create's options, its network,
// restart policy and health check), the checks that need nothing but the
// options themselves, and the record (config.json) that the store keeps
// for each container. The front end, the monitors and the engine read it;
// rl-init never does.
package config

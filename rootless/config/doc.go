// Package config holds a container's configuration as the user asked for
// it, typed (rl run's and rl create's options, its network, restart policy
// and health check), the few checks the engine makes of it, and the record
// (config.json) that the store keeps for each container. The front end's
// cmd/rl/opts parses the command line into it; the front end, the monitors
// and the engine read it; rl-init never does.
package config

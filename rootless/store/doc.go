// Package store keeps rl's containers and pods on disk, for the front end
// and the monitors (never rl-init): their records (state.json, config.json,
// pod.json), ids and names, the store's lock and each container's monitor
// lock, the state machine (created, running, restarting, exited) and the
// repair of what a killed rl left half made or half removed.
package store

// Package monitor supervises containers, in the front end (a foreground
// rl run is its own container's monitor) and in the detached monitor
// process that rl run -d and rl start leave behind, as conmon does for
// podman: one start of a container from its record (the /etc files, the
// ports, the launch, the running state, the wait, the exit), the log and
// its reader, --restart and the health checks.
package monitor

package store

import (
	"os"
	"time"

	"github.com/rl-containers/rl/rootless/network"
)

// State is a container's state file, state.json in its data directory
// (persistent, so that a container outlives a reboot as exited).
type State struct {
	ID       string    `json:"id"`
	Name     string    `json:"name,omitempty"`
	Rootfs   string    `json:"rootfs,omitempty"`
	Image    string    `json:"image,omitempty"`
	ImageID  string    `json:"image_id,omitempty"`
	Command  []string  `json:"command"`
	Status   string    `json:"status"`
	Pid      int       `json:"pid,omitempty"`
	ExitCode int       `json:"exit_code"`
	Created  time.Time `json:"created"`
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	// ImageName is the name Image resolved to, fully qualified
	// (spec.Image.Name), which rl ps shows; "" for an image named by its
	// id, and in the records of rl before it.
	ImageName string `json:"image_name,omitempty"`
	// Ports are the published ports, host ports chosen.
	Ports []network.PortMapping `json:"ports,omitempty"`
	// Cgroup is the container's cgroup and the controllers whose limits
	// it enforces, when it asked for limits.
	Cgroup *CgroupState `json:"cgroup,omitempty"`
	// Monitor is the process that supervises the container: rl itself in
	// the foreground, a detached rl monitor with -d. The container runs
	// only as long as it does (see ReadState).
	Monitor Process `json:"monitor,omitzero"`
	// Error says why the container stopped other than by its command's
	// exit, when rl knows.
	Error string `json:"error,omitempty"`
	// StopRequested is set by rl stop and rl kill: the exit was asked
	// for, so --restart does not restart the container.
	StopRequested bool `json:"stop_requested,omitempty"`
	// Restarts counts the restarts --restart made.
	Restarts int `json:"restarts,omitempty"`
	// Health is the health checks' verdict (starting, healthy or
	// unhealthy) while the container runs, read from health.json.
	Health string `json:"-"`
	// Labels are the container's labels (run --label), from its record,
	// read only where asked for (ReadLabels: a label filter, ps --format).
	Labels map[string]string `json:"-"`
	// Pod and PodID name the pod the container belongs to.
	Pod   string `json:"pod,omitempty"`
	PodID string `json:"pod_id,omitempty"`
}

// CgroupState records where a container's limits live.
type CgroupState struct {
	Manager  string   `json:"manager"`
	Path     string   `json:"path"`
	Enforced []string `json:"enforced"`
	// Unenforced are the best-effort warnings: limits asked for that
	// nothing enforces.
	Unenforced []string `json:"unenforced,omitempty"`
}

// Container statuses.
const (
	StatusCreated = "created"
	StatusRunning = "running"
	// StatusRestarting is a container between two runs of --restart.
	StatusRestarting = "restarting"
	StatusExited     = "exited"
)

// StatusStopping is how inspect and ps show a running container that rl
// stop has signalled and waits for (podman's "stopping"); its state file
// keeps "running" (see Store.ShownStatus).
const StatusStopping = "stopping"

// ShownStatus is st's status as inspect and ps show it: "stopping" for a
// running container that rl stop is stopping (its stop marker says
// "stop"; rl kill's is empty), else the recorded one.
func (s Store) ShownStatus(st State) string {
	if st.Status != StatusRunning {
		return st.Status
	}
	if fi, err := os.Stat((&Container{Store: s, State: st}).StopMarker()); err == nil && fi.Size() > 0 {
		return StatusStopping
	}
	return st.Status
}

// Active is true while the container has a monitor: running, or
// waiting to be restarted.
func (st State) Active() bool { return st.Status == StatusRunning || st.Status == StatusRestarting }

// Health is the outcome of a container's health checks so far, kept in
// health.json beside its state (written by the monitor alone).
type Health struct {
	// Status is starting (no verdict yet), healthy or unhealthy.
	Status        string `json:"Status"`
	FailingStreak int    `json:"FailingStreak"`
	// Log holds the last checks, newest last.
	Log []HealthResult `json:"Log"`
}

// HealthResult is one check.
type HealthResult struct {
	Start    time.Time `json:"Start"`
	ExitCode int       `json:"ExitCode"`
}

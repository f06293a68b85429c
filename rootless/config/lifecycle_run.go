package config

import (
	"slices"
	"time"
)

// The log drivers of --log-driver, podman's names. k8s-file and json-file
// both write the CRI's format to the container's log (podman's json-file
// is k8s-file under another name); none keeps nothing; passthrough hands
// the container rl's own stdio, which only a container in the foreground
// has; journald is podman's default where a journal is reachable.
const (
	LogK8sFile     = "k8s-file"
	LogJSONFile    = "json-file"
	LogJournald    = "journald"
	LogNone        = "none"
	LogPassthrough = "passthrough"
)

// Log is where a container's output goes: --log-driver and --log-opt.
type Log struct {
	// Driver is one of the Log* names; "" is k8s-file.
	Driver string `json:"driver,omitempty"`
	// Path replaces the log's place in the container's directory.
	Path string `json:"path,omitempty"`
	// Size is the log's largest size in bytes (max-size), past which
	// the monitor starts it afresh, as conmon does; 0: no limit.
	Size int64  `json:"size,omitempty"`
	Tag  string `json:"tag,omitempty"`
}

// Logs is true when the container's output is kept for rl logs.
func (l Log) Logs() bool {
	return l.Driver == "" || l.Driver == LogK8sFile || l.Driver == LogJSONFile
}

// Lifecycle are the run and create flags that say how a container starts,
// ends and is health-checked beyond config.Health.
type Lifecycle struct {
	// StopSignal replaces the image's stop signal for rl stop; 0: the
	// image's, else SIGTERM.
	StopSignal int `json:"stopSignal,omitempty"`
	// StopTimeout is rl stop's grace period in seconds when it is given
	// no -t (podman's default: 10).
	StopTimeout int `json:"stopTimeout"`
	// Timeout kills the container that still runs after it (--timeout);
	// 0: never.
	Timeout time.Duration `json:"timeout,omitempty"`
	// DetachKeys is --detach-keys as given ("" disables detaching).
	DetachKeys string `json:"detachKeys,omitempty"`
	// Attach are the streams a container in the foreground is attached
	// to (stdin, stdout, stderr); empty: stdout and stderr.
	Attach []string `json:"attach,omitempty"`
	// Replace removes a container of the same name first.
	Replace bool `json:"replace,omitempty"`
	// HealthTimeout ends a health check that runs longer; 0: 30 s.
	HealthTimeout time.Duration `json:"healthTimeout,omitempty"`
	// HealthStartPeriod is the time after the start during which failed
	// checks do not count.
	HealthStartPeriod time.Duration `json:"healthStartPeriod,omitempty"`
	// HealthOnFailure is what the monitor does to an unhealthy container:
	// none (""), kill, restart or stop.
	HealthOnFailure string `json:"healthOnFailure,omitempty"`
}

// StopGrace is the container's grace period of rl stop.
func (l Lifecycle) StopGrace() time.Duration { return time.Duration(l.StopTimeout) * time.Second }

// Attached is true when the container in the foreground is attached to
// the stream (stdin, stdout or stderr).
func (l Lifecycle) Attached(stream string) bool {
	if len(l.Attach) == 0 {
		return stream != "stdin"
	}
	return slices.Contains(l.Attach, stream)
}

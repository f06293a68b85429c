package rootless

import (
	"math"
	"time"

	mobysignal "github.com/moby/sys/signal"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
)

// ContainerTimeout asks Stop for the container's own grace period (its
// --stop-timeout, podman's 10 s by default), as rl stop without -t does.
const ContainerTimeout time.Duration = math.MinInt64

// defaultStopTimeout is podman's grace period, for a container whose
// record cannot be read.
const defaultStopTimeout = 10 * time.Second

// stopPolicy returns the signal that stops the container of record r
// first (--stop-signal, else the image's STOPSIGNAL, else SIGTERM) and
// the grace period before SIGKILL (timeout, or the container's own for
// ContainerTimeout).
func stopPolicy(r *config.Record, timeout time.Duration) (unix.Signal, time.Duration) {
	if r == nil {
		if timeout == ContainerTimeout {
			timeout = defaultStopTimeout
		}
		return unix.SIGTERM, timeout
	}
	if timeout == ContainerTimeout {
		timeout = r.Options.Lifecycle.StopGrace()
	}
	if s := r.Options.Lifecycle.StopSignal; s != 0 {
		return unix.Signal(s), timeout
	}
	if name := r.Image.Config.StopSignal; name != "" {
		if s, err := mobysignal.ParseSignal(name); err == nil && mobysignal.ValidSignalForPlatform(s) {
			return s, timeout
		}
	}
	return unix.SIGTERM, timeout
}

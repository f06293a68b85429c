package rootless

import (
	"context"
	"strings"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/store"
)

// NewPodPrefix is --pod new:NAME's: the container's pod is made for it.
const NewPodPrefix = "new:"

// podFor joins the container o to its pod (joinPod), making the pod
// first for --pod new:NAME, as podman does: with the container's network,
// published ports and host name, which become the pod's. drop removes a pod made
// here, for when the container's creation fails after all; it does
// nothing for a pod that existed.
func (e *Engine) podFor(ctx context.Context, o *config.Container) (p store.Pod, drop func(), err error) {
	drop = func() {}
	if name, ok := strings.CutPrefix(o.Pod, NewPodPrefix); ok {
		// The container's --hostname is the new pod's, as podman's.
		id, err := e.CreatePod(ctx, PodOptions{Name: name, Net: o.Net, Hostname: o.Hostname})
		if err != nil {
			return p, drop, err
		}
		drop = func() { _ = e.RemovePod(ctx, id, true, -1) }
		o.Pod, o.Net.Ports, o.Net.PublishAll, o.Hostname = id, nil, false, ""
	}
	p, err = e.joinPod(o)
	if err != nil {
		drop()
	}
	return p, drop, err
}

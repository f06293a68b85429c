package monitor

import (
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/kube"
	"github.com/rl-containers/rl/rootless/store"
)

// EndPodIfDone ends the pod of c, a container that has exited for good,
// when the pod's exit policy is stop and none of its other containers
// runs (podman's --exit-policy stop, which kube play gives its pods): its
// infra container is killed, and marked stopped so that nothing restarts
// it; EndPodIfDone returns once the infra's monitor has recorded that. An init container of a played pod ends nothing: the app containers
// come after it.
func EndPodIfDone(c *store.Container, labels map[string]string) {
	if c.State.PodID == "" || labels[kube.LabelInit] == "true" {
		return
	}
	p, err := c.Store.LoadPod(c.State.PodID)
	if err != nil || p.ExitPolicy != store.ExitPolicyStop || p.InfraID == c.State.ID {
		return
	}
	states, err := c.Store.List()
	if err != nil {
		return
	}
	for _, st := range states {
		if st.PodID == p.ID && st.ID != p.InfraID && st.ID != c.State.ID && st.Active() {
			return
		}
	}
	infra, err := c.Store.Load(p.InfraID)
	if err != nil || !infra.State.Active() || infra.State.Pid == 0 {
		return
	}
	infra.MarkStopped(true)
	_ = unix.Kill(infra.State.Pid, unix.SIGKILL)
	// Until the infra container's monitor has recorded its exit: the pod
	// reads as exited once the last container's command has returned.
	infra.WaitMonitor()
}

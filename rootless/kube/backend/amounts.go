package backend

import (
	v1 "k8s.io/api/core/v1"

	"github.com/rl-containers/rl/rootless/kube"
)

// amountsOf reads a container's resources, with the API server's
// defaulting: a resource with a limit and no request requests its limit.
func amountsOf(r v1.ResourceRequirements) kube.Amounts {
	var a kube.Amounts
	a.CPULimit, a.HasCPULimit = quantity(r.Limits, v1.ResourceCPU)
	a.MemLimit, a.HasMemLimit = quantity(r.Limits, v1.ResourceMemory)
	a.CPURequest, a.HasCPURequest = quantity(r.Requests, v1.ResourceCPU)
	a.MemRequest, a.HasMemRequest = quantity(r.Requests, v1.ResourceMemory)
	if _, ok := r.Requests[v1.ResourceCPU]; !ok && a.HasCPULimit {
		a.CPURequest, a.HasCPURequest = a.CPULimit, true
	}
	if _, ok := r.Requests[v1.ResourceMemory]; !ok && a.HasMemLimit {
		a.MemRequest, a.HasMemRequest = a.MemLimit, true
	}
	_, req := r.Requests[v1.ResourceEphemeralStorage]
	_, lim := r.Limits[v1.ResourceEphemeralStorage]
	a.EphemeralStorage = req || lim
	return a
}

// quantity is the named amount of l (millicores for cpu), false for none
// or zero.
func quantity(l v1.ResourceList, name v1.ResourceName) (int64, bool) {
	q, ok := l[name]
	if !ok || q.IsZero() {
		return 0, false
	}
	if name == v1.ResourceCPU {
		return q.MilliValue(), true
	}
	return q.Value(), true
}

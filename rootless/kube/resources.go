package kube

import (
	"fmt"

	"github.com/rl-containers/rl/cgroupsd"
)

// The kubelet's constants (pkg/kubelet/cm, pkg/kubelet/qos).
const (
	minShares     = 2
	maxShares     = 262144
	sharesPerCPU  = 1024
	milliCPUToCPU = 1000
	// QuotaPeriod is cpu.max's period, µs (the kubelet's default
	// cpuCFSQuotaPeriod of 100ms).
	QuotaPeriod = 100000
	// minQuota is the smallest quota the kubelet writes, µs.
	minQuota = 1000
	// memoryThrottlingFactor is the kubelet's default for MemoryQoS's
	// memory.high.
	memoryThrottlingFactor = 0.9
	pageSize               = 4096

	guaranteedOOMScoreAdj = -997
	bestEffortOOMScoreAdj = 1000
)

// QOSClass is a pod's quality of service class, as Kubernetes computes it
// (v1.PodQOSClass).
type QOSClass string

// The classes.
const (
	Guaranteed QOSClass = "Guaranteed"
	Burstable  QOSClass = "Burstable"
	BestEffort QOSClass = "BestEffort"
)

// Amounts are a container's (or a pod's) cpu in millicores and memory in
// bytes, as requested and limited; the Has fields say which were given.
type Amounts struct {
	CPURequest, CPULimit       int64
	MemRequest, MemLimit       int64
	HasCPURequest, HasCPULimit bool
	HasMemRequest, HasMemLimit bool
	// EphemeralStorage is set when a request or limit names it: rl
	// cannot enforce it.
	EphemeralStorage bool
}

// guaranteed is true when cpu and memory both have limits equal to their
// requests.
func (a Amounts) guaranteed() bool {
	return a.HasCPULimit && a.HasMemLimit && a.CPURequest == a.CPULimit && a.MemRequest == a.MemLimit
}

// None is true when a asks for no cpu and no memory.
func (a Amounts) None() bool {
	return !a.HasCPURequest && !a.HasCPULimit && !a.HasMemRequest && !a.HasMemLimit
}

// QOS is the pod's class from its containers' amounts, init containers
// included (pkg/apis/core/v1/helper/qos.GetPodQOS): BestEffort when none
// asks for cpu or memory, Guaranteed when every one has cpu and memory
// limits equal to its requests, else Burstable.
func QOS(containers []Amounts) QOSClass {
	best, guaranteed := true, true
	for _, a := range containers {
		best = best && a.None()
		guaranteed = guaranteed && a.guaranteed()
	}
	switch {
	case best:
		return BestEffort
	case guaranteed:
		return Guaranteed
	}
	return Burstable
}

// MilliCPUToShares is the kubelet's cpu.shares of a cpu request.
func MilliCPUToShares(milli int64) uint64 {
	if milli == 0 {
		return minShares
	}
	shares := milli * sharesPerCPU / milliCPUToCPU
	return uint64(min(max(shares, minShares), maxShares))
}

// MilliCPUToQuota is the kubelet's cpu.max quota of a cpu limit over
// period (0: no quota).
func MilliCPUToQuota(milli int64, period int64) int64 {
	if milli == 0 {
		return 0
	}
	return max(milli*period/milliCPUToCPU, minQuota)
}

// OOMScoreAdj is the kubelet's oom_score_adj for a container of a pod of
// class qos (pkg/kubelet/qos.GetContainerOOMScoreAdjust), machineMemory
// the node's memory in bytes.
func OOMScoreAdj(qos QOSClass, memRequest, machineMemory int64) int {
	switch qos {
	case Guaranteed:
		return guaranteedOOMScoreAdj
	case BestEffort:
		return bestEffortOOMScoreAdj
	}
	adj := 1000 - 1000*memRequest/max(machineMemory, 1)
	switch {
	case adj < 1000+guaranteedOOMScoreAdj:
		return 1000 + guaranteedOOMScoreAdj
	case adj == bestEffortOOMScoreAdj:
		return int(adj - 1)
	}
	return int(adj)
}

// memoryHigh is MemoryQoS's memory.high: the request plus the throttling
// factor of the room up to the limit (the machine's memory without one),
// rounded down to pages (pkg/kubelet/kuberuntime, Kubernetes 1.27+). 0
// when the kubelet sets none: a limit equal to the request.
func memoryHigh(a Amounts, machineMemory int64) int64 {
	limit := machineMemory
	if a.HasMemLimit {
		limit = a.MemLimit
	}
	if a.HasMemLimit && a.MemRequest == a.MemLimit {
		return 0
	}
	high := int64(float64(a.MemRequest)+memoryThrottlingFactor*float64(limit-a.MemRequest)) / pageSize * pageSize
	if high <= a.MemRequest {
		return 0
	}
	return high
}

// Limits say how rl maps amounts to a cgroup.
type Limits struct {
	// MemoryQoS writes memory.min and memory.high, as the kubelet's
	// MemoryQoS feature gate does.
	MemoryQoS bool
	// MachineMemory is the machine's memory, bytes (Burstable's
	// oom_score_adj, memory.high without a limit).
	MachineMemory int64
}

// Cgroup is a container's or pod's amounts as cgroup v2 values.
func (l Limits) Cgroup(a Amounts) cgroupsd.Resources {
	r := cgroupsd.Resources{
		CPUWeight: cgroupsd.SharesToWeight(MilliCPUToShares(a.CPURequest)),
		MemoryMax: a.MemLimit,
	}
	if a.HasCPULimit {
		r.CPUQuota, r.CPUPeriod = MilliCPUToQuota(a.CPULimit, QuotaPeriod), QuotaPeriod
	}
	if l.MemoryQoS && a.HasMemRequest {
		r.MemoryMin = a.MemRequest
		r.MemoryHigh = memoryHigh(a, l.MachineMemory)
	}
	return r
}

// PodAmounts are a pod's amounts as the kubelet sizes its pod cgroup
// (pkg/kubelet/cm.ResourceConfigForPod): each sum over the app
// containers, or the largest init container's when that is more; a limit
// only when every container has one.
func PodAmounts(init, app []Amounts) Amounts {
	var sum Amounts
	sum.HasCPULimit, sum.HasMemLimit = len(app) > 0, len(app) > 0
	for _, a := range app {
		sum.CPURequest += a.CPURequest
		sum.MemRequest += a.MemRequest
		sum.CPULimit += a.CPULimit
		sum.MemLimit += a.MemLimit
		sum.HasCPURequest = sum.HasCPURequest || a.HasCPURequest
		sum.HasMemRequest = sum.HasMemRequest || a.HasMemRequest
		sum.HasCPULimit = sum.HasCPULimit && a.HasCPULimit
		sum.HasMemLimit = sum.HasMemLimit && a.HasMemLimit
	}
	for _, a := range init {
		sum.CPURequest, sum.MemRequest = max(sum.CPURequest, a.CPURequest), max(sum.MemRequest, a.MemRequest)
		sum.CPULimit, sum.MemLimit = max(sum.CPULimit, a.CPULimit), max(sum.MemLimit, a.MemLimit)
		sum.HasCPULimit = sum.HasCPULimit && a.HasCPULimit
		sum.HasMemLimit = sum.HasMemLimit && a.HasMemLimit
	}
	if !sum.HasCPULimit {
		sum.CPULimit = 0
	}
	if !sum.HasMemLimit {
		sum.MemLimit = 0
	}
	return sum
}

// FormatCPU is millicores as Kubernetes writes them (500m, 2).
func FormatCPU(milli int64) string {
	if milli%1000 == 0 {
		return fmt.Sprint(milli / 1000)
	}
	return fmt.Sprintf("%dm", milli)
}

package backend

import (
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rl-containers/rl/rootless/kube"
)

func list(kv ...string) v1.ResourceList {
	l := v1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[v1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

// TestCgroup checks the kubelet's formulas against values worked out by
// hand from pkg/kubelet/cm and runc's shares-to-weight conversion.
func TestCgroup(t *testing.T) {
	const gi = 1 << 30
	for _, tc := range []struct {
		name         string
		req, lim     v1.ResourceList
		weight       uint64
		quota        int64
		memMax       int64
		memMin, high int64
	}{
		{name: "none", weight: 1},                                                // shares 2
		{name: "250m", req: list("cpu", "250m"), weight: 10},                     // shares 256: 1+254*9999/262142
		{name: "1 cpu", req: list("cpu", "1"), weight: 39},                       // shares 1024
		{name: "1m", req: list("cpu", "1m"), weight: 1},                          // shares 1 -> 2
		{name: "limit 500m", lim: list("cpu", "500m"), weight: 20, quota: 50000}, // request defaults to limit: shares 512
		{name: "limit 5m", lim: list("cpu", "5m"), weight: 1, quota: 1000},       // quota 500 -> 1000
		{name: "64 cpus", req: list("cpu", "300"), weight: 10000},                // shares capped at 262144
		{name: "memory", req: list("memory", "64Mi"), lim: list("memory", "128Mi"), weight: 1, memMax: 128 << 20, memMin: 64 << 20, high: 127504384},
		{name: "memory guaranteed", lim: list("memory", "1Gi"), weight: 1, memMax: gi, memMin: gi},
	} {
		a := amountsOf(v1.ResourceRequirements{Requests: tc.req, Limits: tc.lim})
		r := kube.Limits{MemoryQoS: true, MachineMemory: 8 * gi}.Cgroup(a)
		if r.CPUWeight != tc.weight || r.CPUQuota != tc.quota || r.MemoryMax != tc.memMax || r.MemoryMin != tc.memMin || r.MemoryHigh != tc.high {
			t.Errorf("%s: weight %d quota %d max %d min %d high %d, want %d %d %d %d %d", tc.name, r.CPUWeight, r.CPUQuota, r.MemoryMax, r.MemoryMin, r.MemoryHigh,
				tc.weight, tc.quota, tc.memMax, tc.memMin, tc.high)
		}
		if tc.quota != 0 && r.CPUPeriod != kube.QuotaPeriod {
			t.Errorf("%s: period %d", tc.name, r.CPUPeriod)
		}
	}
}

func TestQOSAndOOM(t *testing.T) {
	const gi = 1 << 30
	guaranteed := amountsOf(v1.ResourceRequirements{Limits: list("cpu", "1", "memory", "1Gi")})
	burstable := amountsOf(v1.ResourceRequirements{Requests: list("memory", "2Gi")})
	cpuOnly := amountsOf(v1.ResourceRequirements{Limits: list("cpu", "1")})
	none := amountsOf(v1.ResourceRequirements{})
	zero := amountsOf(v1.ResourceRequirements{Requests: list("cpu", "0")})
	for _, tc := range []struct {
		name string
		ctrs []kube.Amounts
		want kube.QOSClass
	}{
		{"guaranteed", []kube.Amounts{guaranteed, guaranteed}, kube.Guaranteed},
		{"one burstable", []kube.Amounts{guaranteed, none}, kube.Burstable},
		{"cpu limit only", []kube.Amounts{cpuOnly}, kube.Burstable},
		{"memory request", []kube.Amounts{burstable}, kube.Burstable},
		{"none", []kube.Amounts{none, none}, kube.BestEffort},
		{"zero request", []kube.Amounts{zero}, kube.BestEffort},
	} {
		if got := kube.QOS(tc.ctrs); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		qos  kube.QOSClass
		req  int64
		want int
	}{
		{kube.Guaranteed, gi, -997},
		{kube.BestEffort, 0, 1000},
		{kube.Burstable, 2 * gi, 750}, // 1000 - 1000*2/8
		{kube.Burstable, 8 * gi, 3},   // 0, raised above kube.Guaranteed's
		{kube.Burstable, 1, 999},      // 1000, kept below kube.BestEffort's
		{kube.Burstable, 16 * gi, 3},  // above the machine
	} {
		if got := kube.OOMScoreAdj(tc.qos, tc.req, 8*gi); got != tc.want {
			t.Errorf("%s %d: %d, want %d", tc.qos, tc.req, got, tc.want)
		}
	}
}

func TestPodAmounts(t *testing.T) {
	a := amountsOf(v1.ResourceRequirements{Requests: list("cpu", "250m"), Limits: list("cpu", "500m", "memory", "128Mi")})
	b := amountsOf(v1.ResourceRequirements{Limits: list("cpu", "1", "memory", "64Mi")})
	c := amountsOf(v1.ResourceRequirements{Requests: list("cpu", "100m")})
	init := amountsOf(v1.ResourceRequirements{Limits: list("cpu", "2", "memory", "32Mi")})
	p := kube.PodAmounts([]kube.Amounts{init}, []kube.Amounts{a, b})
	if p.CPURequest != 2000 || p.CPULimit != 2000 || p.MemLimit != 192<<20 || !p.HasCPULimit || !p.HasMemLimit {
		t.Errorf("with init: %+v", p)
	}
	p = kube.PodAmounts(nil, []kube.Amounts{a, c})
	if p.CPURequest != 350 || p.HasCPULimit || p.HasMemLimit || p.CPULimit != 0 {
		t.Errorf("one without limits: %+v", p)
	}
}

package kube

import (
	"fmt"
	"strconv"

	"github.com/rl-containers/rl/cgroupsd"
)

// Row is one line of rl kube play --dry-run: a request or limit of a
// container (or the pod's sum), the cgroup file it becomes and the value
// written there.
type Row struct {
	Container, Resource, Amount, File, Value, Note string
}

// Explain lists how the plan's requests and limits become cgroup values,
// container by container and then for the pod; ownOOM is rl's own
// oom_score_adj, below which an unprivileged process cannot go.
func Explain(p PodPlan, l Limits, ownOOM int) []Row {
	var rows []Row
	for _, c := range append(append([]ContainerPlan(nil), p.Init...), p.Containers...) {
		rc := resourceRows(c.Name, c.Amounts, c.Cgroup, l)
		if !c.Applied {
			for i := range rc {
				rc[i].Note = "not applied: no cgroup manager here, and the container asks for nothing"
			}
		}
		rows = append(rows, rc...)
		oom := Row{Container: c.Name, Resource: "qos " + string(p.QoS), File: "oom_score_adj", Value: strconv.Itoa(c.OOMScoreAdj)}
		if c.OOMScoreAdj < ownOOM {
			oom.Note = fmt.Sprintf("rootless cannot go below rl's own %d: set to %d", ownOOM, ownOOM)
		}
		rows = append(rows, oom)
	}
	return append(rows, resourceRows("(pod)", p.Amounts, p.Cgroup, l)...)
}

// resourceRows are the cpu and memory rows of one set of amounts.
func resourceRows(name string, a Amounts, r cgroupsd.Resources, l Limits) []Row {
	shares := MilliCPUToShares(a.CPURequest)
	rows := []Row{{Container: name, Resource: "requests.cpu", Amount: orNone(a.HasCPURequest, FormatCPU(a.CPURequest)),
		File: "cpu.weight", Value: strconv.FormatUint(r.CPUWeight, 10), Note: fmt.Sprintf("shares %d", shares)}}
	limit := Row{Container: name, Resource: "limits.cpu", Amount: "-", File: "cpu.max", Value: fmt.Sprintf("max %d", QuotaPeriod)}
	if a.HasCPULimit {
		limit.Amount, limit.Value = FormatCPU(a.CPULimit), fmt.Sprintf("%d %d", r.CPUQuota, r.CPUPeriod)
	}
	rows = append(rows, limit)
	req := Row{Container: name, Resource: "requests.memory", Amount: orNone(a.HasMemRequest, FormatBytes(a.MemRequest)), File: "memory.min", Value: "0",
		Note: "scheduling only (memory.min and memory.high with --memory-qos)"}
	if l.MemoryQoS && a.HasMemRequest {
		req.Value, req.Note = strconv.FormatInt(r.MemoryMin, 10), ""
		rows = append(rows, req, Row{Container: name, Resource: "requests.memory", Amount: req.Amount, File: "memory.high", Value: highValue(r.MemoryHigh),
			Note: "request + 0.9 × (limit − request), in pages"})
	} else {
		rows = append(rows, req)
	}
	mem := Row{Container: name, Resource: "limits.memory", Amount: "-", File: "memory.max", Value: "max"}
	if a.HasMemLimit {
		mem.Amount, mem.Value = FormatBytes(a.MemLimit), strconv.FormatInt(r.MemoryMax, 10)
	}
	rows = append(rows, mem)
	if a.EphemeralStorage {
		rows = append(rows, Row{Container: name, Resource: "ephemeral-storage", Amount: "set", File: "-", Value: "-", Note: "not enforced: rootless rl has no disk quota"})
	}
	return rows
}

func highValue(v int64) string {
	if v == 0 {
		return "max"
	}
	return strconv.FormatInt(v, 10)
}

func orNone(has bool, s string) string {
	if !has {
		return "-"
	}
	return s
}

// FormatBytes is a memory amount as Kubernetes writes it (128Mi), in
// bytes when no binary unit divides it.
func FormatBytes(b int64) string {
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"Gi", 1 << 30}, {"Mi", 1 << 20}, {"Ki", 1 << 10}} {
		if b >= u.size && b%u.size == 0 {
			return fmt.Sprintf("%d%s", b/u.size, u.suffix)
		}
	}
	return strconv.FormatInt(b, 10)
}

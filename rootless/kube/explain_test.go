package kube

import (
	"strings"
	"testing"
)

func find(rows []Row, container, file string) Row {
	for _, r := range rows {
		if r.Container == container && r.File == file {
			return r
		}
	}
	return Row{}
}

func TestExplain(t *testing.T) {
	l := Limits{MemoryQoS: true, MachineMemory: 8 << 30}
	guaranteed := Amounts{CPURequest: 500, CPULimit: 500, MemRequest: 64 << 20, MemLimit: 64 << 20,
		HasCPURequest: true, HasCPULimit: true, HasMemRequest: true, HasMemLimit: true, EphemeralStorage: true}
	none := Amounts{}
	p := PodPlan{QoS: Burstable,
		Containers: []ContainerPlan{
			{Name: "g", Amounts: guaranteed, Cgroup: l.Cgroup(guaranteed), Applied: true, OOMScoreAdj: -997},
			{Name: "n", Amounts: none, Cgroup: l.Cgroup(none), OOMScoreAdj: 999},
		},
		Amounts: PodAmounts(nil, []Amounts{guaranteed, none}),
	}
	p.Cgroup = l.Cgroup(p.Amounts)
	rows := Explain(p, l, 0)
	for _, want := range []Row{
		{Container: "g", Resource: "requests.cpu", Amount: "500m", File: "cpu.weight", Value: "20", Note: "shares 512"},
		{Container: "g", Resource: "limits.cpu", Amount: "500m", File: "cpu.max", Value: "50000 100000"},
		{Container: "g", Resource: "requests.memory", Amount: "64Mi", File: "memory.min", Value: "67108864"},
		{Container: "g", Resource: "limits.memory", Amount: "64Mi", File: "memory.max", Value: "67108864"},
		{Container: "(pod)", Resource: "limits.cpu", Amount: "-", File: "cpu.max", Value: "max 100000"},
		{Container: "(pod)", Resource: "requests.cpu", Amount: "500m", File: "cpu.weight", Value: "20", Note: "shares 512"},
	} {
		if got := find(rows, want.Container, want.File); got != want {
			t.Errorf("%s %s: %+v, want %+v", want.Container, want.File, got, want)
		}
	}
	if r := find(rows, "g", "oom_score_adj"); r.Value != "-997" || !strings.Contains(r.Note, "set to 0") {
		t.Errorf("oom row %+v", r)
	}
	if r := find(rows, "g", "memory.high"); r.Value != "max" {
		t.Errorf("a limit equal to the request has no memory.high: %+v", r)
	}
	if r := find(rows, "n", "cpu.weight"); r.Value != "1" || !strings.Contains(r.Note, "not applied") {
		t.Errorf("a container without resources and no manager: %+v", r)
	}
	if r := find(rows, "g", "-"); r.Resource != "ephemeral-storage" || !strings.Contains(r.Note, "not enforced") {
		t.Errorf("ephemeral-storage: %+v", r)
	}
	if FormatBytes(1536) != "1536" || FormatBytes(3<<30) != "3Gi" || FormatCPU(2000) != "2" || FormatCPU(250) != "250m" {
		t.Error("FormatBytes/FormatCPU")
	}
}

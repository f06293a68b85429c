package cgroupsd

import (
	"math"
	"reflect"
	"testing"
)

func TestConversions(t *testing.T) {
	for _, c := range []struct{ shares, weight uint64 }{{0, 0}, {2, 1}, {1024, 39}, {512, 20}, {262144, 10000}, {1, 1}} {
		if got := SharesToWeight(c.shares); got != c.weight {
			t.Errorf("SharesToWeight(%d) = %d, want %d", c.shares, got, c.weight)
		}
	}
	for _, c := range []struct{ blkio, weight uint64 }{{0, 0}, {10, 1}, {300, 2930}, {500, 4950}, {1000, 10000}} {
		if got := BlkioToIOWeight(c.blkio); got != c.weight {
			t.Errorf("BlkioToIOWeight(%d) = %d, want %d", c.blkio, got, c.weight)
		}
	}
	for _, c := range []struct {
		list string
		bits []byte
	}{{"0", []byte{1}}, {"0-2,4", []byte{0x17}}, {"9", []byte{0, 2}}, {"x", nil}, {"3-1", nil}} {
		got, err := cpuSetBits(c.list)
		if (err != nil) != (c.bits == nil) || !reflect.DeepEqual(got, c.bits) {
			t.Errorf("cpuSetBits(%q) = %v, %v; want %v", c.list, got, err, c.bits)
		}
	}
}

func TestFilesAndProperties(t *testing.T) {
	r := Resources{MemoryMax: 1 << 20, MemoryMin: 1 << 19, MemoryHigh: 900 << 10, MemorySwapMax: -1, SwapSet: true, CPUQuota: 50000, CPUWeight: 39, PidsMax: -1, CPUs: "0"}
	files, err := r.Files()
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"cpuset.cpus", "0"}, {"memory.min", "524288"}, {"memory.high", "921600"}, {"memory.max", "1048576"}, {"memory.swap.max", "max"},
		{"cpu.max", "50000 100000"}, {"cpu.weight", "39"}, {"pids.max", "max"}}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("Files() = %v, want %v", files, want)
	}
	if got := r.Controllers(); !reflect.DeepEqual(got, []string{"cpu", "cpuset", "memory", "pids"}) {
		t.Errorf("Controllers() = %v", got)
	}
	props, err := r.properties()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for _, p := range props {
		got[p.Name] = p.Value.Value()
	}
	for name, v := range map[string]any{
		"MemoryMax": uint64(1 << 20), "MemoryMin": uint64(1 << 19), "MemoryHigh": uint64(900 << 10), "MemorySwapMax": uint64(math.MaxUint64), "CPUQuotaPerSecUSec": uint64(500000),
		"CPUQuotaPeriodUSec": uint64(100000), "CPUWeight": uint64(39), "TasksMax": uint64(math.MaxUint64), "AllowedCPUs": []byte{1},
	} {
		if !reflect.DeepEqual(got[name], v) {
			t.Errorf("property %s = %v, want %v", name, got[name], v)
		}
	}
	if !(Resources{}).Empty() || r.Empty() || (Resources{MemoryMin: 1}).Empty() {
		t.Error("Empty is wrong")
	}
}

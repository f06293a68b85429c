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

func TestFlagsResources(t *testing.T) {
	tests := []struct {
		name    string
		flags   Flags
		want    Resources
		wantErr bool
	}{
		{name: "none", flags: Flags{}, want: Resources{}},
		{name: "memory and swap", flags: Flags{Memory: "512m", MemorySwap: "1g", MemoryReservation: "256m"},
			want: Resources{MemoryMax: 512 << 20, MemoryLow: 256 << 20, MemorySwapMax: 512 << 20, SwapSet: true}},
		{name: "unlimited swap", flags: Flags{Memory: "64m", MemorySwap: "-1"},
			want: Resources{MemoryMax: 64 << 20, MemorySwapMax: -1, SwapSet: true}},
		{name: "cpus", flags: Flags{CPUs: "0.5"}, want: Resources{CPUQuota: 50000, CPUPeriod: 100000}},
		{name: "quota and period", flags: Flags{CPUQuota: 20000, CPUPeriod: 50000}, want: Resources{CPUQuota: 20000, CPUPeriod: 50000}},
		{name: "shares, cpuset, pids, blkio", flags: Flags{CPUShares: 1024, CPUSetCPUs: "0-1", CPUSetMems: "0", PidsLimit: 20, BlkioWeight: 500},
			want: Resources{CPUWeight: 39, CPUs: "0-1", Mems: "0", PidsMax: 20, IOWeight: 4950}},
		{name: "devices", flags: Flags{DeviceWriteBPS: []string{"/dev/vda:1mb"}, DeviceReadIOPS: []string{"/dev/vda:100"}, BlkioWeightDevice: []string{"/dev/vda:10"}},
			want: Resources{Devices: []DeviceLimit{{"/dev/vda", "weight", 1}, {"/dev/vda", "wbps", 1 << 20}, {"/dev/vda", "riops", 100}}}},
		{name: "bad memory", flags: Flags{Memory: "lots"}, wantErr: true},
		{name: "swap without memory", flags: Flags{MemorySwap: "1g"}, wantErr: true},
		{name: "swap below memory", flags: Flags{Memory: "1g", MemorySwap: "512m"}, wantErr: true},
		{name: "negative cpus", flags: Flags{CPUs: "-1"}, wantErr: true},
		{name: "cpus and quota", flags: Flags{CPUs: "1", CPUQuota: 50000}, wantErr: true},
		{name: "tiny period", flags: Flags{CPUPeriod: 10}, wantErr: true},
		{name: "bad cpuset", flags: Flags{CPUSetCPUs: "a"}, wantErr: true},
		{name: "bad pids", flags: Flags{PidsLimit: -2}, wantErr: true},
		{name: "bad blkio", flags: Flags{BlkioWeight: 5}, wantErr: true},
		{name: "device without path", flags: Flags{DeviceReadBPS: []string{"vda:1mb"}}, wantErr: true},
		{name: "device zero rate", flags: Flags{DeviceReadBPS: []string{"/dev/vda:0"}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.flags.Resources()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFilesAndProperties(t *testing.T) {
	r := Resources{MemoryMax: 1 << 20, MemorySwapMax: -1, SwapSet: true, CPUQuota: 50000, CPUWeight: 39, PidsMax: -1, CPUs: "0"}
	files, err := r.Files()
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"cpuset.cpus", "0"}, {"memory.max", "1048576"}, {"memory.swap.max", "max"},
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
		"MemoryMax": uint64(1 << 20), "MemorySwapMax": uint64(math.MaxUint64), "CPUQuotaPerSecUSec": uint64(500000),
		"CPUQuotaPeriodUSec": uint64(100000), "CPUWeight": uint64(39), "TasksMax": uint64(math.MaxUint64), "AllowedCPUs": []byte{1},
	} {
		if !reflect.DeepEqual(got[name], v) {
			t.Errorf("property %s = %v, want %v", name, got[name], v)
		}
	}
	if !(Resources{}).Empty() || r.Empty() {
		t.Error("Empty is wrong")
	}
}

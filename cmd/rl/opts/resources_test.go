package opts

import (
	"reflect"
	"testing"

	"github.com/rl-containers/rl/cgroupsd"
)

func TestResourcesParse(t *testing.T) {
	tests := []struct {
		name    string
		flags   Resources
		want    cgroupsd.Resources
		wantErr bool
	}{
		{name: "none", flags: Resources{}, want: cgroupsd.Resources{}},
		{name: "memory and swap", flags: Resources{Memory: "512m", MemorySwap: "1g", MemoryReservation: "256m"},
			want: cgroupsd.Resources{MemoryMax: 512 << 20, MemoryLow: 256 << 20, MemorySwapMax: 512 << 20, SwapSet: true}},
		{name: "unlimited swap", flags: Resources{Memory: "64m", MemorySwap: "-1"},
			want: cgroupsd.Resources{MemoryMax: 64 << 20, MemorySwapMax: -1, SwapSet: true}},
		{name: "cpus", flags: Resources{CPUs: "0.5"}, want: cgroupsd.Resources{CPUQuota: 50000, CPUPeriod: 100000}},
		{name: "quota and period", flags: Resources{CPUQuota: 20000, CPUPeriod: 50000}, want: cgroupsd.Resources{CPUQuota: 20000, CPUPeriod: 50000}},
		{name: "shares, cpuset, pids, blkio", flags: Resources{CPUShares: 1024, CPUSetCPUs: "0-1", CPUSetMems: "0", PidsLimit: 20, BlkioWeight: 500},
			want: cgroupsd.Resources{CPUWeight: 39, CPUs: "0-1", Mems: "0", PidsMax: 20, IOWeight: 4950}},
		{name: "devices", flags: Resources{DeviceWriteBPS: []string{"/dev/vda:1mb"}, DeviceReadIOPS: []string{"/dev/vda:100"}, BlkioWeightDevice: []string{"/dev/vda:10"}},
			want: cgroupsd.Resources{Devices: []cgroupsd.DeviceLimit{
				{Path: "/dev/vda", Key: "weight", Value: 1}, {Path: "/dev/vda", Key: "wbps", Value: 1 << 20}, {Path: "/dev/vda", Key: "riops", Value: 100},
			}}},
		{name: "bad memory", flags: Resources{Memory: "lots"}, wantErr: true},
		{name: "swap without memory", flags: Resources{MemorySwap: "1g"}, wantErr: true},
		{name: "swap below memory", flags: Resources{Memory: "1g", MemorySwap: "512m"}, wantErr: true},
		{name: "negative cpus", flags: Resources{CPUs: "-1"}, wantErr: true},
		{name: "cpus and quota", flags: Resources{CPUs: "1", CPUQuota: 50000}, wantErr: true},
		{name: "tiny period", flags: Resources{CPUPeriod: 10}, wantErr: true},
		{name: "bad cpuset", flags: Resources{CPUSetCPUs: "a"}, wantErr: true},
		{name: "bad pids", flags: Resources{PidsLimit: -2}, wantErr: true},
		{name: "bad blkio", flags: Resources{BlkioWeight: 5}, wantErr: true},
		{name: "device without path", flags: Resources{DeviceReadBPS: []string{"vda:1mb"}}, wantErr: true},
		{name: "device zero rate", flags: Resources{DeviceReadBPS: []string{"/dev/vda:0"}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.flags.Parse()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

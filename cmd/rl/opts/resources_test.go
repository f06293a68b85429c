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
		{name: "zero memory is no limit, as podman's", flags: Resources{Memory: "0", MemoryReservation: "0"}, want: cgroupsd.Resources{}},
		{name: "negative memory", flags: Resources{Memory: "-1"}, wantErr: true},
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

func TestCPUQuota(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr string // the error, whole
	}{
		{in: "0.5", want: 50000},
		{in: "2", want: 200000},
		{in: "0.01", want: 1000},
		{in: "1.5e0", want: 150000},
		{in: "0.333333", want: 33333},
		{in: "175921860", want: 17592186000000},
		{in: "NaN", wantErr: `invalid --cpus "NaN": want a positive number of CPUs, e.g. 0.5 or 2`},
		{in: "nan", wantErr: `invalid --cpus "nan": want a positive number of CPUs, e.g. 0.5 or 2`},
		{in: "Inf", wantErr: `invalid --cpus "Inf": want a positive number of CPUs, e.g. 0.5 or 2`},
		{in: "+Inf", wantErr: `invalid --cpus "+Inf": want a positive number of CPUs, e.g. 0.5 or 2`},
		{in: "-Inf", wantErr: `invalid --cpus "-Inf": want a positive number of CPUs, e.g. 0.5 or 2`},
		{in: "-1", wantErr: `invalid --cpus "-1": want a positive number of CPUs, e.g. 0.5 or 2`},
		{in: "-0", wantErr: `invalid --cpus "-0": want a positive number of CPUs, e.g. 0.5 or 2`},
		{in: "0", wantErr: `invalid --cpus "0": want a positive number of CPUs, e.g. 0.5 or 2`},
		{in: "1e-320", wantErr: `invalid --cpus "1e-320": want 0.01 to 175921860 CPUs`},
		{in: "0.009", wantErr: `invalid --cpus "0.009": want 0.01 to 175921860 CPUs`},
		{in: "1e300", wantErr: `invalid --cpus "1e300": want 0.01 to 175921860 CPUs`},
		{in: "1e400", wantErr: `invalid --cpus "1e400": want a positive number of CPUs, e.g. 0.5 or 2`},
		{in: "two", wantErr: `invalid --cpus "two": want a positive number of CPUs, e.g. 0.5 or 2`},
		{in: "0x1p-2", want: 25000},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cpuQuota(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("cpuQuota(%q) = %d, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("cpuQuota(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

package opts

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	units "github.com/docker/go-units"

	"github.com/rl-containers/rl/cgroupsd"
)

// Resources are rl run's resource flags as given, in docker's syntax.
type Resources struct {
	Memory, MemoryReservation, MemorySwap string
	CPUs                                  string
	CPUQuota                              int64
	CPUPeriod                             uint64
	CPUShares                             uint64
	CPUSetCPUs, CPUSetMems                string
	PidsLimit                             int64
	BlkioWeight                           uint64
	BlkioWeightDevice                     []string
	DeviceReadBPS, DeviceWriteBPS         []string
	DeviceReadIOPS, DeviceWriteIOPS       []string
}

// Parse checks the resource flags and converts them to cgroup v2 terms.
// Sizes take docker's units (512m, 1g); --memory-swap is memory plus swap
// (-1: unlimited), as in docker.
func (f Resources) Parse() (cgroupsd.Resources, error) {
	var r cgroupsd.Resources
	var err error
	if r.MemoryMax, err = size("--memory", f.Memory); err != nil {
		return r, err
	}
	if r.MemoryLow, err = size("--memory-reservation", f.MemoryReservation); err != nil {
		return r, err
	}
	if f.MemorySwap != "" {
		if err := f.swap(&r); err != nil {
			return r, err
		}
	}
	if f.CPUs != "" {
		quota, err := cpuQuota(f.CPUs)
		if err != nil {
			return r, err
		}
		if f.CPUQuota != 0 {
			return r, fmt.Errorf("--cpus and --cpu-quota both set the CPU quota: give one")
		}
		r.CPUQuota, r.CPUPeriod = quota, cgroupsd.DefaultCPUPeriod
	}
	if f.CPUQuota != 0 {
		if f.CPUQuota < 1000 && f.CPUQuota != -1 {
			return r, fmt.Errorf("invalid --cpu-quota %d: want at least 1000 (µs), or -1 for none", f.CPUQuota)
		}
		r.CPUQuota, r.CPUPeriod = f.CPUQuota, f.CPUPeriod
	}
	if f.CPUPeriod != 0 && (f.CPUPeriod < 1000 || f.CPUPeriod > 1000000) {
		return r, fmt.Errorf("invalid --cpu-period %d: want 1000 to 1000000 (µs)", f.CPUPeriod)
	}
	if f.CPUShares != 0 {
		r.CPUWeight = cgroupsd.SharesToWeight(f.CPUShares)
	}
	for _, s := range []struct{ flag, value string }{{"--cpuset-cpus", f.CPUSetCPUs}, {"--cpuset-mems", f.CPUSetMems}} {
		if s.value == "" {
			continue
		}
		if !cgroupsd.ValidCPUList(s.value) {
			return r, fmt.Errorf("invalid %s %q: want a list like 0-2,4", s.flag, s.value)
		}
	}
	r.CPUs, r.Mems = f.CPUSetCPUs, f.CPUSetMems
	if f.PidsLimit < -1 {
		return r, fmt.Errorf("invalid --pids-limit %d: want a positive number, or -1 for none", f.PidsLimit)
	}
	r.PidsMax = f.PidsLimit
	if f.BlkioWeight != 0 {
		if f.BlkioWeight < 10 || f.BlkioWeight > 1000 {
			return r, fmt.Errorf("invalid --blkio-weight %d: want 10 to 1000", f.BlkioWeight)
		}
		r.IOWeight = cgroupsd.BlkioToIOWeight(f.BlkioWeight)
	}
	return r, f.devices(&r)
}

// Bounds of a --cpus value: the kernel takes a quota of 1 ms to about
// 2^44 µs per period (kernel/sched/core.c: min_cfs_quota_period,
// max_cfs_runtime), here per the default period of 100 ms.
const (
	minCPUs = 1000.0 / cgroupsd.DefaultCPUPeriod
	maxCPUs = 1 << 44 / cgroupsd.DefaultCPUPeriod
)

// cpuQuota converts a --cpus value to a quota per cgroupsd.DefaultCPUPeriod.
// strconv.ParseFloat takes "NaN", "Inf" and denormals such as 1e-320,
// none of them a number of CPUs: NaN compares false to every bound and
// would convert to an arbitrary quota, 1e-320 to a quota of 0 (which
// cgroupsd reads as "no limit").
func cpuQuota(s string) (int64, error) {
	cpus, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(cpus) || math.IsInf(cpus, 0) || cpus <= 0 {
		return 0, fmt.Errorf("invalid --cpus %q: want a positive number of CPUs, e.g. 0.5 or 2", s)
	}
	if cpus < minCPUs || cpus > maxCPUs {
		return 0, fmt.Errorf("invalid --cpus %q: want %g to %d CPUs", s, minCPUs, maxCPUs)
	}
	return int64(math.Round(cpus * cgroupsd.DefaultCPUPeriod)), nil
}

// swap sets the swap limit from --memory-swap, which counts memory too.
func (f Resources) swap(r *cgroupsd.Resources) error {
	r.SwapSet = true
	if f.MemorySwap == "-1" {
		r.MemorySwapMax = -1
		return nil
	}
	total, err := size("--memory-swap", f.MemorySwap)
	if err != nil {
		return err
	}
	if r.MemoryMax == 0 {
		return fmt.Errorf("--memory-swap needs --memory: it is the total of memory and swap")
	}
	if total < r.MemoryMax {
		return fmt.Errorf("invalid --memory-swap %s: it is memory plus swap, so it must be at least --memory (%s)", f.MemorySwap, f.Memory)
	}
	r.MemorySwapMax = total - r.MemoryMax
	return nil
}

// devices parses the per-device io flags, PATH:VALUE each.
func (f Resources) devices(r *cgroupsd.Resources) error {
	for _, d := range []struct {
		flag, key string
		values    []string
		rate      bool
	}{
		{"--blkio-weight-device", "weight", f.BlkioWeightDevice, false},
		{"--device-read-bps", "rbps", f.DeviceReadBPS, true},
		{"--device-write-bps", "wbps", f.DeviceWriteBPS, true},
		{"--device-read-iops", "riops", f.DeviceReadIOPS, false},
		{"--device-write-iops", "wiops", f.DeviceWriteIOPS, false},
	} {
		for _, v := range d.values {
			path, value, ok := strings.Cut(v, ":")
			if !ok || !strings.HasPrefix(path, "/") {
				return fmt.Errorf("invalid %s %q: want DEVICE-PATH:VALUE, e.g. /dev/sda:10mb", d.flag, v)
			}
			var n uint64
			var err error
			if d.rate {
				var b int64
				b, err = units.RAMInBytes(value)
				n = uint64(b)
			} else {
				n, err = strconv.ParseUint(value, 10, 64)
			}
			if err != nil || n == 0 {
				return fmt.Errorf("invalid %s %q: %q is not a positive number", d.flag, v, value)
			}
			if d.key == "weight" {
				if n < 10 || n > 1000 {
					return fmt.Errorf("invalid %s %q: want a weight from 10 to 1000", d.flag, v)
				}
				n = cgroupsd.BlkioToIOWeight(n)
			}
			r.Devices = append(r.Devices, cgroupsd.DeviceLimit{Path: path, Key: d.key, Value: n})
		}
	}
	return nil
}

// size parses a docker size (512m, 1g, or bytes); "" is 0.
func size(flag, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := units.RAMInBytes(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid %s %q: want a size such as 512m or 1g", flag, v)
	}
	return n, nil
}

// ParseCgroupManager checks a --cgroup-manager value: systemd, cgroupfs,
// none, or "" to let rl pick.
func ParseCgroupManager(s string) (string, error) {
	switch s {
	case "", cgroupsd.Systemd, cgroupsd.Cgroupfs, cgroupsd.None:
		return s, nil
	}
	return "", fmt.Errorf("invalid --cgroup-manager %q: use systemd, cgroupfs or none", s)
}

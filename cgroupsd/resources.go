package cgroupsd

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Resources are a container's limits in cgroup v2 terms (the front end
// converts docker's flags to them). A zero field asks for nothing.
type Resources struct {
	MemoryMax int64 // --memory: memory.max, bytes
	MemoryLow int64 // --memory-reservation: memory.low
	// MemoryMin and MemoryHigh are memory.min and memory.high (rl kube
	// play --memory-qos, as the kubelet's MemoryQoS).
	MemoryMin, MemoryHigh int64
	// MemorySwapMax is memory.swap.max: --memory-swap minus --memory;
	// -1 is unlimited. SwapSet says whether it was asked for at all
	// (0 is a real value: no swap).
	MemorySwapMax int64
	SwapSet       bool
	CPUQuota      int64  // cpu.max quota, µs per CPUPeriod (--cpus, --cpu-quota)
	CPUPeriod     uint64 // cpu.max period, µs (default 100000)
	CPUWeight     uint64 // --cpu-shares, converted: cpu.weight
	CPUs          string // --cpuset-cpus: cpuset.cpus
	Mems          string // --cpuset-mems: cpuset.mems
	PidsMax       int64  // --pids-limit: pids.max (-1 unlimited)
	IOWeight      uint64 // --blkio-weight, converted: io.weight
	// Devices are the per-device io settings (--blkio-weight-device,
	// --device-{read,write}-{bps,iops}).
	Devices []DeviceLimit
}

// DeviceLimit is one per-device io setting: Key is "weight", "rbps",
// "wbps", "riops" or "wiops".
type DeviceLimit struct {
	Path  string
	Key   string
	Value uint64
}

// DefaultCPUPeriod is cpu.max's period when only a quota is given.
const DefaultCPUPeriod = 100000

// Empty is true when r asks for no limit: then rl does no cgroup work.
func (r Resources) Empty() bool {
	return r.MemoryMax == 0 && r.MemoryLow == 0 && r.MemoryMin == 0 && r.MemoryHigh == 0 && !r.SwapSet && r.CPUQuota == 0 && r.CPUWeight == 0 &&
		r.CPUs == "" && r.Mems == "" && r.PidsMax == 0 && r.IOWeight == 0 && len(r.Devices) == 0
}

// Controllers are the cgroup v2 controllers r needs, sorted.
func (r Resources) Controllers() []string {
	var c []string
	if r.MemoryMax != 0 || r.MemoryLow != 0 || r.MemoryMin != 0 || r.MemoryHigh != 0 || r.SwapSet {
		c = append(c, "memory")
	}
	if r.CPUQuota != 0 || r.CPUWeight != 0 {
		c = append(c, "cpu")
	}
	if r.CPUs != "" || r.Mems != "" {
		c = append(c, "cpuset")
	}
	if r.PidsMax != 0 {
		c = append(c, "pids")
	}
	if r.IOWeight != 0 || len(r.Devices) > 0 {
		c = append(c, "io")
	}
	slices.Sort(c)
	return c
}

// Files are the cgroup v2 interface files and values that enforce r, in
// the order to write them.
func (r Resources) Files() ([][2]string, error) {
	var f [][2]string
	add := func(file, value string) { f = append(f, [2]string{file, value}) }
	if r.CPUs != "" {
		add("cpuset.cpus", r.CPUs)
	}
	if r.Mems != "" {
		add("cpuset.mems", r.Mems)
	}
	if r.MemoryMin != 0 {
		add("memory.min", strconv.FormatInt(r.MemoryMin, 10))
	}
	if r.MemoryLow != 0 {
		add("memory.low", strconv.FormatInt(r.MemoryLow, 10))
	}
	if r.MemoryHigh != 0 {
		add("memory.high", strconv.FormatInt(r.MemoryHigh, 10))
	}
	if r.MemoryMax != 0 {
		add("memory.max", strconv.FormatInt(r.MemoryMax, 10))
	}
	if r.SwapSet {
		add("memory.swap.max", max64(r.MemorySwapMax))
	}
	if r.CPUQuota != 0 {
		add("cpu.max", fmt.Sprintf("%s %d", max64(r.CPUQuota), r.period()))
	}
	if r.CPUWeight != 0 {
		add("cpu.weight", strconv.FormatUint(r.CPUWeight, 10))
	}
	if r.PidsMax != 0 {
		add("pids.max", max64(r.PidsMax))
	}
	if r.IOWeight != 0 {
		add("io.weight", "default "+strconv.FormatUint(r.IOWeight, 10))
	}
	for _, d := range r.Devices {
		dev, err := deviceNumber(d.Path)
		if err != nil {
			return nil, err
		}
		if d.Key == "weight" {
			add("io.weight", fmt.Sprintf("%s %d", dev, d.Value))
			continue
		}
		add("io.max", fmt.Sprintf("%s %s=%d", dev, d.Key, d.Value))
	}
	return f, nil
}

func (r Resources) period() uint64 {
	if r.CPUPeriod == 0 {
		return DefaultCPUPeriod
	}
	return r.CPUPeriod
}

// max64 renders a limit, with -1 as cgroup v2's "max".
func max64(v int64) string {
	if v < 0 {
		return "max"
	}
	return strconv.FormatInt(v, 10)
}

// deviceNumber is the "MAJOR:MINOR" of the block device at path.
func deviceNumber(path string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", fmt.Errorf("device %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return "", fmt.Errorf("device %s: not a block device", path)
	}
	return fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev)), nil
}

// SharesToWeight converts docker's --cpu-shares (cgroup v1 cpu.shares,
// 2..262144) to cgroup v2's cpu.weight (1..10000) the way runc and crun
// do, so that the same flag gives the same weight everywhere.
func SharesToWeight(shares uint64) uint64 {
	if shares == 0 {
		return 0
	}
	shares = min(max(shares, 2), 262144)
	return 1 + ((shares-2)*9999)/262142
}

// BlkioToIOWeight converts docker's --blkio-weight (cgroup v1 blkio.weight,
// 10..1000) to io.weight (1..10000), as runc and crun do.
func BlkioToIOWeight(w uint64) uint64 {
	if w == 0 {
		return 0
	}
	return 1 + (w-10)*9999/990
}

// ValidCPUList reports whether list is a cpuset list ("0-2,4"), as
// cpuset.cpus, cpuset.mems and systemd's AllowedCPUs take it.
func ValidCPUList(list string) bool {
	_, err := cpuSetBits(list)
	return err == nil
}

// cpuSetBits turns a cpuset list ("0-2,4") into the little-endian bitmask
// systemd's AllowedCPUs and AllowedMemoryNodes take.
func cpuSetBits(list string) ([]byte, error) {
	var bits []byte
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		first, err := strconv.Atoi(lo)
		if err != nil || first < 0 {
			return nil, fmt.Errorf("invalid cpu/memory-node list %q", list)
		}
		last := first
		if isRange {
			if last, err = strconv.Atoi(hi); err != nil || last < first {
				return nil, fmt.Errorf("invalid cpu/memory-node list %q", list)
			}
		}
		for i := first; i <= last; i++ {
			for len(bits) <= i/8 {
				bits = append(bits, 0)
			}
			bits[i/8] |= 1 << (i % 8)
		}
	}
	return bits, nil
}

// IsCgroup2 is true when /sys/fs/cgroup is a cgroup v2 (unified) mount.
func IsCgroup2() bool {
	var st unix.Statfs_t
	return unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

// OwnCgroup is the calling process's cgroup v2 path, from
// /proc/self/cgroup's "0::" line.
func OwnCgroup(pid string) (string, error) {
	b, err := os.ReadFile("/proc/" + pid + "/cgroup")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p, nil
		}
	}
	return "", fmt.Errorf("no cgroup v2 entry in /proc/%s/cgroup", pid)
}

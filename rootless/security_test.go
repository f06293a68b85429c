package rootless

import (
	"os"
	"reflect"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/spec"
)

// capMask is caps as /proc/PID/status shows them.
func capMask(caps []uint) uint64 {
	var m uint64
	for _, c := range caps {
		m |= 1 << c
	}
	return m
}

func TestCapabilitySet(t *testing.T) {
	const last = 40
	all := uint64(1)<<(last+1) - 1
	allCaps := upTo(last)
	const defaults = 0x800405fb
	const netAdmin, netRaw, sysAdmin = 1 << 12, 1 << 13, 1 << 21
	tests := []struct {
		name           string
		sec            config.Security
		bounding, user uint64
	}{
		{"defaults", config.Security{}, defaults, 0},
		{"add one", config.Security{CapAdd: []string{"CAP_NET_ADMIN"}}, defaults | netAdmin, netAdmin},
		{"add a default", config.Security{CapAdd: []string{"CAP_CHOWN"}}, defaults, 1},
		{"drop one", config.Security{CapDrop: []string{"CAP_CHOWN"}}, defaults &^ 1, 0},
		{"drop all", config.Security{CapDrop: []string{"ALL"}}, 0, 0},
		{"drop all, add one", config.Security{CapDrop: []string{"ALL"}, CapAdd: []string{"CAP_NET_RAW"}}, netRaw, netRaw},
		{"add all", config.Security{CapAdd: []string{"ALL"}}, all, all},
		{"add all, drop one", config.Security{CapAdd: []string{"ALL"}, CapDrop: []string{"CAP_NET_RAW"}}, all &^ netRaw, all &^ netRaw},
		{"privileged", config.Security{Privileged: true}, all, 0},
		{"privileged ignores drops", config.Security{Privileged: true, CapDrop: []string{"CAP_SYS_ADMIN"}}, all, 0},
		{"privileged, add one", config.Security{Privileged: true, CapAdd: []string{"CAP_SYS_ADMIN"}}, all, sysAdmin},
		{"both (the CLI refuses): drop wins", config.Security{CapAdd: []string{"CAP_NET_ADMIN"}, CapDrop: []string{"CAP_NET_ADMIN"}}, defaults, 0},
		{"add all and drop all (the CLI refuses)", config.Security{CapAdd: []string{"ALL"}, CapDrop: []string{"ALL"}}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := capabilitySet(tt.sec, allCaps)
			if capMask(got.Bounding) != tt.bounding || capMask(got.User) != tt.user {
				t.Errorf("bounding %#x user %#x, want %#x and %#x", capMask(got.Bounding), capMask(got.User), tt.bounding, tt.user)
			}
			if got.Bounding == nil {
				t.Error("bounding set is nil, which rl-init reads as the defaults")
			}
			if !slices.IsSorted(got.Bounding) || len(slices.Compact(slices.Clone(got.Bounding))) != len(got.Bounding) {
				t.Errorf("bounding set %v is not a sorted set", got.Bounding)
			}
		})
	}
}

// A capability the kernel lacks (past its CAP_LAST_CAP) is never sent.
func TestCapabilitySetOlderKernel(t *testing.T) {
	got := capabilitySet(config.Security{CapAdd: []string{"CAP_CHECKPOINT_RESTORE", "CAP_BPF"}}, upTo(38))
	if slices.Contains(got.Bounding, 40) || slices.Contains(got.Bounding, 39) {
		t.Errorf("bounding %v has capabilities past 38", got.Bounding)
	}
	all := capabilitySet(config.Security{Privileged: true}, upTo(38))
	if len(all.Bounding) != 39 || all.Bounding[38] != 38 {
		t.Errorf("privileged on a kernel with 38 as the last: %v", all.Bounding)
	}
}

func TestPathRules(t *testing.T) {
	glob := func(p string) ([]string, error) {
		return []string{"/sys/devices/system/cpu/cpu0/thermal_throttle"}, nil
	}
	defaults := append(slices.Clone(defaultMaskedPaths), "/sys/devices/system/cpu/cpu0/thermal_throttle")
	tests := []struct {
		name             string
		sec              config.Security
		masked, readonly []string
	}{
		{"defaults", config.Security{}, defaults, defaultReadonlyPaths},
		{"mask one more", config.Security{Mask: []string{"/etc/hostname"}}, append(slices.Clone(defaults), "/etc/hostname"), defaultReadonlyPaths},
		{"mask a default again", config.Security{Mask: []string{"/proc/kcore"}}, defaults, defaultReadonlyPaths},
		{"unmask all", config.Security{Unmask: []string{"ALL"}}, []string{}, []string{}},
		{"unmask all, mask one", config.Security{Unmask: []string{"ALL"}, Mask: []string{"/x"}}, []string{"/x"}, []string{}},
		{"unmask one", config.Security{Unmask: []string{"/sys/dev/block"}},
			slices.DeleteFunc(slices.Clone(defaults), func(p string) bool { return p == "/sys/dev/block" }), defaultReadonlyPaths},
		{"unmask a glob", config.Security{Unmask: []string{"/proc/*"}},
			[]string{"/sys/dev/block", "/sys/devices/virtual/powercap", "/sys/firmware", "/sys/fs/selinux", "/sys/devices/system/cpu/cpu0/thermal_throttle"}, []string{}},
		{"privileged", config.Security{Privileged: true}, []string{}, []string{}},
		{"privileged still masks mask=", config.Security{Privileged: true, Mask: []string{"/etc/motd"}}, []string{"/etc/motd"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			masked, readonly := pathRules(tt.sec, glob)
			if !reflect.DeepEqual(masked, tt.masked) || !reflect.DeepEqual(readonly, tt.readonly) {
				t.Errorf("masked %q\nreadonly %q\nwant %q\nand %q", masked, readonly, tt.masked, tt.readonly)
			}
		})
	}
}

func TestInspectSecurity(t *testing.T) {
	sec := config.Security{CapAdd: []string{"CAP_NET_ADMIN"}, CapDrop: []string{"CAP_CHOWN"}, NoNewPrivileges: true}
	caps := capabilitySet(sec, upTo(40))
	masked, readonly := pathRules(sec, func(string) ([]string, error) { return nil, nil })
	tests := []struct {
		name      string
		uid       uint32
		effective []string
	}{
		{"root", 0, nil},
		{"user", 1000, []string{"CAP_NET_ADMIN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := containerSpecForInspect(caps, masked, readonly, tt.uid, sec.NoNewPrivileges)
			var in Inspection
			inspectSecurity(&in, sp, sec)
			if !slices.Contains(in.BoundingCaps, "CAP_NET_ADMIN") || slices.Contains(in.BoundingCaps, "CAP_CHOWN") {
				t.Errorf("BoundingCaps %q", in.BoundingCaps)
			}
			want := tt.effective
			if want == nil {
				want = in.BoundingCaps
			}
			if !reflect.DeepEqual(in.EffectiveCaps, want) {
				t.Errorf("EffectiveCaps %q, want %q", in.EffectiveCaps, want)
			}
			h := in.HostConfig
			if !reflect.DeepEqual(h.CapAdd, []string{"CAP_NET_ADMIN"}) || !reflect.DeepEqual(h.CapDrop, []string{"CAP_CHOWN"}) {
				t.Errorf("CapAdd %q CapDrop %q", h.CapAdd, h.CapDrop)
			}
			if !reflect.DeepEqual(h.SecurityOpt, []string{"no-new-privileges"}) || h.SeccompProfilePath != "default" {
				t.Errorf("SecurityOpt %q SeccompProfilePath %q", h.SecurityOpt, h.SeccompProfilePath)
			}
		})
	}
	var in Inspection
	inspectSecurity(&in, containerSpecForInspect(capabilitySet(config.Security{Privileged: true}, config.AllCapabilities()), []string{}, []string{}, 0, false), config.Security{Privileged: true})
	h := in.HostConfig
	if len(in.EffectiveCaps) != len(config.AllCapabilities()) || len(h.CapAdd) != 0 || len(h.CapDrop) != 0 || !h.Privileged ||
		!reflect.DeepEqual(h.SecurityOpt, []string{"unmask=all"}) || h.SeccompProfilePath != "unconfined" {
		t.Errorf("privileged: %d caps, CapAdd %q CapDrop %q, SecurityOpt %q, seccomp %q", len(in.EffectiveCaps), h.CapAdd, h.CapDrop, h.SecurityOpt, h.SeccompProfilePath)
	}
}

func containerSpecForInspect(caps Capabilities, masked, readonly []string, uid uint32, nnp bool) *spec.Spec {
	return &spec.Spec{
		User: spec.User{UID: uid}, Capabilities: caps.Bounding, UserCapabilities: caps.User,
		NoNewPrivileges: nnp, MaskedPaths: masked, ReadonlyPaths: readonly,
	}
}

func upTo(last uint) []uint {
	var all []uint
	for c := uint(0); c <= last; c++ {
		all = append(all, c)
	}
	return all
}

// Root's bounding set bounds real root's containers (as podman's rootful
// ones); rootless, every capability up to the kernel's last.
func TestAllCapabilitiesRootBound(t *testing.T) {
	all := config.AllCapabilities()
	if len(all) == 0 || !slices.IsSorted(all) {
		t.Fatalf("AllCapabilities() = %v", all)
	}
	if os.Geteuid() != 0 {
		if all[len(all)-1] != uint(len(all)-1) {
			t.Errorf("rootless, AllCapabilities() = %v has gaps", all)
		}
		return
	}
	for _, c := range all {
		if in, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0); err != nil || in != 1 {
			t.Errorf("capability %d is not in root's bounding set", c)
		}
	}
}

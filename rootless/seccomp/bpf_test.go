package seccomp

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// data is a struct seccomp_data.
type data struct {
	nr   uint32
	arch uint32
	args [6]uint64
}

func (d data) bytes() []byte {
	b := make([]byte, 64)
	binary.LittleEndian.PutUint32(b[0:], d.nr)
	binary.LittleEndian.PutUint32(b[4:], d.arch)
	for i, a := range d.args {
		binary.LittleEndian.PutUint64(b[16+8*i:], a)
	}
	return b
}

// run is a classic BPF interpreter for the instructions a seccomp filter
// may use (the kernel's seccomp_check_filter subset that Compile emits),
// with the kernel's own checks: every jump lands inside the program and
// the program ends in a return.
func run(t testing.TB, prog []byte, d data) uint32 {
	t.Helper()
	if err := CheckProgram(prog); err != nil {
		t.Fatalf("program: %v", err)
	}
	n := len(prog) / 8
	in := func(pc int) insn {
		b := prog[8*pc:]
		return insn{binary.NativeEndian.Uint16(b), b[2], b[3], binary.NativeEndian.Uint32(b[4:])}
	}
	mem := d.bytes()
	var a uint32
	for pc, steps := 0, 0; ; pc, steps = pc+1, steps+1 {
		if pc >= n || steps > n {
			t.Fatalf("program runs off its end at %d (no return)", pc)
		}
		i := in(pc)
		jump := func(cond bool) {
			off := int(i.jf)
			if cond {
				off = int(i.jt)
			}
			pc += off
		}
		switch i.code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			if i.k%4 != 0 || int(i.k)+4 > len(mem) {
				t.Fatalf("load at %d: offset %d outside seccomp_data", pc, i.k)
			}
			a = binary.LittleEndian.Uint32(mem[i.k:])
		case unix.BPF_ALU | unix.BPF_AND | unix.BPF_K:
			a &= i.k
		case unix.BPF_JMP | unix.BPF_JA:
			pc += int(i.k)
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K:
			jump(a == i.k)
		case unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K:
			jump(a > i.k)
		case unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K:
			jump(a >= i.k)
		case unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			jump(a&i.k != 0)
		case unix.BPF_RET | unix.BPF_K:
			return i.k
		default:
			t.Fatalf("instruction %d: unexpected code %#x", pc, i.code)
		}
	}
}

const (
	allow  = unix.SECCOMP_RET_ALLOW
	eperm  = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	enosys = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
	kill   = unix.SECCOMP_RET_KILL_PROCESS
)

func compileDefault(t testing.TB, caps []string) []byte {
	t.Helper()
	sc, known, err := Default().Resolve(caps)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := compile(sc, known, true)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

var podmanCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
	"CAP_SETUID", "CAP_SYS_CHROOT",
}

func nr(t testing.TB, a abi, name string) uint32 {
	t.Helper()
	nrs := a.table.lookup(name)
	if len(nrs) == 0 {
		t.Fatalf("%s has no syscall %s", a.name, name)
	}
	return a.bias + uint32(nrs[len(nrs)-1])
}

func TestDefaultProfile(t *testing.T) {
	x64 := func(name string, args ...uint64) data {
		d := data{nr: nr(t, abiX86_64, name), arch: unix.AUDIT_ARCH_X86_64}
		copy(d.args[:], args)
		return d
	}
	i386 := func(name string, args ...uint64) data {
		d := data{nr: nr(t, abiI386, name), arch: unix.AUDIT_ARCH_I386}
		copy(d.args[:], args)
		return d
	}
	x32 := func(name string, args ...uint64) data {
		d := data{nr: nr(t, abiX32, name), arch: unix.AUDIT_ARCH_X86_64}
		copy(d.args[:], args)
		return d
	}
	sysAdmin := append(slices.Clone(podmanCaps), "CAP_SYS_ADMIN")
	tests := []struct {
		name string
		caps []string
		in   data
		want uint32
	}{
		{"read", podmanCaps, x64("read"), allow},
		{"execve", podmanCaps, x64("execve"), allow},
		{"keyctl", podmanCaps, x64("keyctl"), eperm},
		{"add_key", podmanCaps, x64("add_key"), eperm},
		{"bpf", podmanCaps, x64("bpf"), eperm},
		{"perf_event_open", podmanCaps, x64("perf_event_open"), eperm},
		{"mount without CAP_SYS_ADMIN", podmanCaps, x64("mount"), eperm},
		{"mount with CAP_SYS_ADMIN", sysAdmin, x64("mount"), allow},
		{"unshare without CAP_SYS_ADMIN", podmanCaps, x64("unshare", unix.CLONE_NEWUSER), eperm},
		{"unshare with CAP_SYS_ADMIN", sysAdmin, x64("unshare", unix.CLONE_NEWUSER), allow},
		{"clone (fork)", podmanCaps, x64("clone", uint64(unix.SIGCHLD)), allow},
		{"clone (thread)", podmanCaps, x64("clone", unix.CLONE_VM|unix.CLONE_FS|unix.CLONE_FILES|unix.CLONE_SIGHAND|unix.CLONE_THREAD), allow},
		{"clone CLONE_NEWUSER", podmanCaps, x64("clone", unix.CLONE_NEWUSER|uint64(unix.SIGCHLD)), eperm},
		{"clone CLONE_NEWNS", podmanCaps, x64("clone", unix.CLONE_NEWNS), eperm},
		{"clone CLONE_NEWUSER with CAP_SYS_ADMIN", sysAdmin, x64("clone", unix.CLONE_NEWUSER), allow},
		{"clone flag in the high half", podmanCaps, x64("clone", 1<<40), allow},
		{"clone3 without CAP_SYS_ADMIN: ENOSYS, glibc falls back to clone", podmanCaps, x64("clone3"), enosys},
		{"clone3 with CAP_SYS_ADMIN", sysAdmin, x64("clone3"), allow},
		{"personality(0)", podmanCaps, x64("personality", 0), allow},
		{"personality(PER_LINUX32)", podmanCaps, x64("personality", 8), allow},
		{"personality(0xffffffff) query", podmanCaps, x64("personality", 0xffffffff), allow},
		{"personality(ADDR_NO_RANDOMIZE)", podmanCaps, x64("personality", 0x0040000), eperm},
		{"personality value in the high half", podmanCaps, x64("personality", 1<<32), eperm},
		{"socket AF_INET", podmanCaps, x64("socket", unix.AF_INET), allow},
		{"socket AF_UNIX", podmanCaps, x64("socket", unix.AF_UNIX), allow},
		{"socket AF_NETLINK", podmanCaps, x64("socket", unix.AF_NETLINK), allow},
		{"socket AF_VSOCK", podmanCaps, x64("socket", unix.AF_VSOCK), eperm},
		{"socket AF_ALG", podmanCaps, x64("socket", unix.AF_ALG), eperm},
		{"socket AF_INET in the high half too", podmanCaps, x64("socket", 1<<32|unix.AF_INET), eperm},
		{"ptrace without CAP_SYS_PTRACE (kernel >= 4.8)", podmanCaps, x64("ptrace"), allow},
		{"reboot", podmanCaps, x64("reboot"), eperm},
		{"open_by_handle_at", podmanCaps, x64("open_by_handle_at"), eperm},
		{"chroot with CAP_SYS_CHROOT", podmanCaps, x64("chroot"), allow},
		{"chroot without it", nil, x64("chroot"), eperm},
		{"unknown number 1000: ENOSYS", podmanCaps, data{nr: 1000, arch: unix.AUDIT_ARCH_X86_64}, enosys},
		{"-1 (a tracer's skip)", podmanCaps, data{nr: 0xffffffff, arch: unix.AUDIT_ARCH_X86_64}, enosys},
		{"number below x32's bit", podmanCaps, data{nr: 0x3fffffff, arch: unix.AUDIT_ARCH_X86_64}, enosys},
		{"a hole the profile knows nothing of (afs_syscall)", podmanCaps, x64("afs_syscall"), eperm},
		{"i386 read", podmanCaps, i386("read"), allow},
		{"i386 keyctl", podmanCaps, i386("keyctl"), eperm},
		{"i386 socketcall (unfilterable, allowed as docker)", podmanCaps, i386("socketcall"), allow},
		{"i386 clone CLONE_NEWUSER", podmanCaps, i386("clone", unix.CLONE_NEWUSER), eperm},
		{"i386 personality(0xffffffff)", podmanCaps, i386("personality", 0xffffffff), allow},
		{"i386 x86_64's keyctl number (250: fadvise64_64 on i386)", podmanCaps, data{nr: nr(t, abiX86_64, "keyctl"), arch: unix.AUDIT_ARCH_I386}, allow},
		{"i386 unknown number", podmanCaps, data{nr: 1000, arch: unix.AUDIT_ARCH_I386}, enosys},
		{"x32 read", podmanCaps, x32("read"), allow},
		{"x32 keyctl", podmanCaps, x32("keyctl"), eperm},
		{"x32 rt_sigaction, x32's own number 512", podmanCaps, data{nr: 0x40000000 + 512, arch: unix.AUDIT_ARCH_X86_64}, allow},
		{"x32 execve, 520", podmanCaps, data{nr: 0x40000000 + 520, arch: unix.AUDIT_ARCH_X86_64}, allow},
		{"x32 unknown number", podmanCaps, data{nr: 0x40000000 + 1000, arch: unix.AUDIT_ARCH_X86_64}, enosys},
		{"aarch64: killed", podmanCaps, data{nr: 63, arch: unix.AUDIT_ARCH_AARCH64}, kill},
		{"arm: killed", podmanCaps, data{nr: 3, arch: unix.AUDIT_ARCH_ARM}, kill},
		{"x86_64 with the 0x40000000 bit off, an unknown arch value", podmanCaps, data{nr: 0, arch: 0x3e}, kill},
	}
	progs := map[string][]byte{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprint(tt.caps)
			if progs[key] == nil {
				progs[key] = compileDefault(t, tt.caps)
			}
			if got := run(t, progs[key], tt.in); got != tt.want {
				t.Errorf("got %#x, want %#x", got, tt.want)
			}
		})
	}
	t.Logf("default profile, podman's capabilities: %d instructions", len(compileDefault(t, podmanCaps))/8)
}

// reference decides a syscall straight from the resolved rules, with the
// rules Compile documents, for the differential test.
func reference(a abi, p *specs.LinuxSeccomp, known []string, d data) uint32 {
	def, _ := action(p.DefaultAction, p.DefaultErrnoRet)
	top := uint32(0)
	for _, n := range known {
		for _, v := range a.table.lookup(n) {
			top = max(top, uint32(v))
		}
	}
	if d.nr-a.bias > top && def != allow && def != unix.SECCOMP_RET_LOG {
		return enosys
	}
	if isHole(a, d.nr-a.bias) {
		return anyAnswer
	}
	var rules []rule
	for _, s := range p.Syscalls {
		ret, _ := action(s.Action, s.ErrnoRet)
		for _, name := range s.Names {
			if slices.ContainsFunc(a.table.lookup(name), func(v int) bool { return a.bias+uint32(v) == d.nr }) {
				rules = append(rules, splitArgs(ret, s.Args)...)
			}
		}
	}
	for _, r := range rules {
		if len(r.conds) == 0 {
			continue
		}
		if !slices.ContainsFunc(r.conds, func(c specs.LinuxSeccompArg) bool { return !holds(a, c, d.args[c.Index]) }) {
			return r.ret
		}
	}
	for _, r := range rules {
		if len(r.conds) == 0 {
			return r.ret
		}
	}
	return def
}

// anyAnswer is reference's answer for a number no syscall has on the
// ABI: the kernel answers ENOSYS whatever the filter says.
const anyAnswer = 0xffffffff

func isHole(a abi, n uint32) bool {
	top := 0
	for _, e := range a.table {
		top = max(top, e.nr)
	}
	for _, e := range a.table {
		if uint32(e.nr) == n {
			return false
		}
	}
	return int(n) < top
}

func holds(a abi, c specs.LinuxSeccompArg, x uint64) bool {
	v, v2 := c.Value, c.ValueTwo
	if !a.wide {
		x, v, v2 = uint64(uint32(x)), uint64(uint32(v)), uint64(uint32(v2))
	}
	switch c.Op {
	case specs.OpEqualTo:
		return x == v
	case specs.OpNotEqual:
		return x != v
	case specs.OpGreaterThan:
		return x > v
	case specs.OpGreaterEqual:
		return x >= v
	case specs.OpLessThan:
		return x < v
	case specs.OpLessEqual:
		return x <= v
	case specs.OpMaskedEqual:
		return x&v == v2
	}
	panic(c.Op)
}

// TestDifferential runs every syscall number of each ABI, with argument
// values around each condition's, through the program and the reference.
func TestDifferential(t *testing.T) {
	for _, caps := range [][]string{nil, podmanCaps, append(slices.Clone(podmanCaps), "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_BPF")} {
		sc, known, err := Default().Resolve(caps)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstReference(t, sc, known)
	}
}

func checkAgainstReference(t *testing.T, sc *specs.LinuxSeccomp, known []string) {
	t.Helper()
	prog, err := compile(sc, known, true)
	if err != nil {
		t.Fatal(err)
	}
	basic := []uint64{0, 1, 0xffffffff, 1 << 32, ^uint64(0)}
	for _, a := range []abi{abiX86_64, abiX32, abiI386} {
		// The values around each condition's, on the arguments the
		// conditions of that syscall look at; the basic ones elsewhere.
		values := map[uint32][]uint64{}
		indices := map[uint32][]uint{}
		for _, s := range sc.Syscalls {
			for _, name := range s.Names {
				for _, n := range a.table.lookup(name) {
					nr := a.bias + uint32(n)
					for _, c := range s.Args {
						for _, v := range []uint64{c.Value, c.ValueTwo} {
							values[nr] = append(values[nr], v, v-1, v+1, v|1<<33, v^1<<63, v&0xffffffff)
						}
						if !slices.Contains(indices[nr], c.Index) {
							indices[nr] = append(indices[nr], c.Index)
						}
					}
				}
			}
		}
		for n := a.bias; n < a.bias+600; n++ {
			idx := indices[n]
			if idx == nil {
				idx = []uint{0}
			}
			for _, v := range append(values[n], basic...) {
				for _, i := range idx {
					d := data{nr: n, arch: a.audit}
					d.args[i] = v
					if got, want := run(t, prog, d), reference(a, sc, known, d); got != want && want != anyAnswer {
						t.Fatalf("%s nr %d arg%d=%#x: got %#x, want %#x", a.name, n-a.bias, i, v, got, want)
					}
				}
			}
		}
	}
}

// TestOperators checks each comparison on both halves, on a 64-bit and a
// 32-bit ABI, and a profile long enough that jumps need BPF_JA.
func TestOperators(t *testing.T) {
	const big = 0x1_0000_0005
	var syscalls []specs.LinuxSyscall
	ops := []specs.LinuxSeccompOperator{
		specs.OpEqualTo, specs.OpNotEqual, specs.OpGreaterThan, specs.OpGreaterEqual,
		specs.OpLessThan, specs.OpLessEqual, specs.OpMaskedEqual,
	}
	names := []string{"read", "write", "close", "fstat", "lseek", "mmap", "mprotect"}
	for i, op := range ops {
		for _, v := range []uint64{5, big} {
			arg := specs.LinuxSeccompArg{Index: uint(i % 6), Value: v, Op: op}
			if op == specs.OpMaskedEqual {
				arg.Value, arg.ValueTwo = 0xff_0000_00ff, v&0xff_0000_00ff
			}
			syscalls = append(syscalls, specs.LinuxSyscall{Names: []string{names[i]}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{arg}})
		}
	}
	// Two conditions on the same argument: ORed, as in runc.
	syscalls = append(syscalls, specs.LinuxSyscall{Names: []string{"getpid"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{
		{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 0, Value: 3, Op: specs.OpEqualTo},
	}})
	// Two on different arguments: ANDed.
	syscalls = append(syscalls, specs.LinuxSyscall{Names: []string{"getppid"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{
		{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 1, Value: 3, Op: specs.OpEqualTo},
	}})
	// Many conditional rules on one syscall: its body is longer than a
	// conditional jump reaches.
	for v := range 200 {
		syscalls = append(syscalls, specs.LinuxSyscall{Names: []string{"ioctl"}, Action: specs.ActErrno, ErrnoRet: ptr(uint(v%100 + 1)), Args: []specs.LinuxSeccompArg{
			{Index: 1, Value: uint64(v) << 20, Op: specs.OpEqualTo},
		}})
	}
	syscalls = append(syscalls, specs.LinuxSyscall{Names: []string{"ioctl", "getuid"}, Action: specs.ActAllow})
	sc := &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno, DefaultErrnoRet: ptr(uint(unix.EACCES)),
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
		Syscalls:      syscalls,
	}
	known := []string{"read", "write", "close", "fstat", "lseek", "mmap", "mprotect", "getpid", "getppid", "ioctl", "getuid"}
	checkAgainstReference(t, sc, known)
}

func ptr[T any](v T) *T { return &v }

// TestEqualRuns: runs of "argument equal to one of these values" rules
// (docker's socket families) compile to one load and a compare each; a
// value with another high half, another return or another argument ends
// a run, and the rules keep the profile's order.
func TestEqualRuns(t *testing.T) {
	eq := func(i uint, v uint64, act specs.LinuxSeccompAction) specs.LinuxSyscall {
		return specs.LinuxSyscall{Names: []string{"socket"}, Action: act, Args: []specs.LinuxSeccompArg{{Index: i, Value: v, Op: specs.OpEqualTo}}}
	}
	syscalls := []specs.LinuxSyscall{
		eq(0, 1, specs.ActAllow), eq(0, 2, specs.ActAllow), eq(0, 1<<32|3, specs.ActAllow), eq(0, 1<<32|4, specs.ActAllow),
		eq(0, 5, specs.ActErrno), eq(0, 5, specs.ActAllow), eq(1, 6, specs.ActAllow), eq(0, 6, specs.ActAllow),
		eq(0, 7, specs.ActAllow), {Names: []string{"socket"}, Action: specs.ActTrap},
	}
	sc := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}, Syscalls: syscalls}
	checkAgainstReference(t, sc, []string{"socket"})
}

// TestDefaultLength guards the default profile's length: the kernel's
// load time (its BPF conversion and JIT) grows with it.
func TestDefaultLength(t *testing.T) {
	sc, known, err := Default().Resolve(podmanCaps)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := compile(sc, known, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(prog) / 8; n > 300 {
		t.Errorf("the default profile compiles to %d instructions, more than 300", n)
	}
}

func TestUnlistedABI(t *testing.T) {
	sc := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow}}}
	prog, err := compile(sc, []string{"read", "write"}, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		in   data
		want uint32
	}{
		{data{nr: 0, arch: unix.AUDIT_ARCH_X86_64}, allow},
		{data{nr: 1, arch: unix.AUDIT_ARCH_X86_64}, eperm},
		{data{nr: 3, arch: unix.AUDIT_ARCH_I386}, kill},
		{data{nr: 0x40000000, arch: unix.AUDIT_ARCH_X86_64}, kill},
	} {
		if got := run(t, prog, tt.in); got != tt.want {
			t.Errorf("%+v: got %#x, want %#x", tt.in, got, tt.want)
		}
	}
}

func TestAllowDefaultHasNoENOSYS(t *testing.T) {
	sc := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActErrno}}}
	prog, err := Compile(sc, []string{"mkdir"})
	if err != nil {
		t.Fatal(err)
	}
	mkdir := nr(t, abiX86_64, "mkdir")
	if got := run(t, prog, data{nr: mkdir, arch: unix.AUDIT_ARCH_X86_64}); got != eperm {
		t.Errorf("mkdir: got %#x, want EPERM", got)
	}
	if got := run(t, prog, data{nr: 1000, arch: unix.AUDIT_ARCH_X86_64}); got != allow {
		t.Errorf("1000: got %#x, want ALLOW", got)
	}
}

func TestNoFilter(t *testing.T) {
	p, err := Parse("empty.json", []byte(`{"syscalls": []}`))
	if err != nil {
		t.Fatal(err)
	}
	sc, known, err := p.Resolve(podmanCaps)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := Compile(sc, known)
	if err != nil || prog != nil {
		t.Errorf("got %d bytes, %v; want no filter", len(prog), err)
	}
}

// TestFarJumps compiles bodies whose jumps to a shared return reach from
// a few instructions to far past a conditional jump's 255, so that some
// need a BPF_JA, and checks each rule's value and its neighbours.
func TestFarJumps(t *testing.T) {
	ioctl := nr(t, abiX86_64, "ioctl")
	for period := 30; period < 90; period += 7 {
		var syscalls []specs.LinuxSyscall
		for v := range 150 {
			syscalls = append(syscalls, specs.LinuxSyscall{Names: []string{"ioctl"}, Action: specs.ActErrno, ErrnoRet: ptr(uint(v%period + 1)), Args: []specs.LinuxSeccompArg{
				{Index: 1, Value: uint64(v) << 20, Op: specs.OpEqualTo},
			}})
		}
		sc := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: syscalls}
		prog, err := Compile(sc, []string{"ioctl"})
		if err != nil {
			t.Fatal(err)
		}
		for v := range 151 {
			for _, x := range []uint64{uint64(v) << 20, uint64(v)<<20 | 1} {
				d := data{nr: ioctl, arch: unix.AUDIT_ARCH_X86_64, args: [6]uint64{0, x}}
				if got, want := run(t, prog, d), reference(abiX86_64, sc, []string{"ioctl"}, d); got != want {
					t.Fatalf("period %d, arg %#x: got %#x, want %#x", period, x, got, want)
				}
			}
		}
	}
}

// TestX32Off: on a kernel without x32 (syscall.x32=n) the filter carries
// no x32 block and answers x32 calls ENOSYS, as the kernel would.
func TestX32Off(t *testing.T) {
	sc, known, err := Default().Resolve(podmanCaps)
	if err != nil {
		t.Fatal(err)
	}
	off, err := compile(sc, known, false)
	if err != nil {
		t.Fatal(err)
	}
	on := compileDefault(t, podmanCaps)
	if len(off) >= len(on) {
		t.Errorf("without x32: %d instructions, with: %d", len(off)/8, len(on)/8)
	}
	t.Logf("default profile without x32: %d instructions (with: %d)", len(off)/8, len(on)/8)
	for _, d := range []data{
		{nr: 0x40000000, arch: unix.AUDIT_ARCH_X86_64},
		{nr: 0x40000000 + 250, arch: unix.AUDIT_ARCH_X86_64},
		{nr: 0xffffffff, arch: unix.AUDIT_ARCH_X86_64},
	} {
		if got := run(t, off, d); got != enosys {
			t.Errorf("%+v: got %#x, want ENOSYS", d, got)
		}
	}
	if got := run(t, off, data{nr: 250, arch: unix.AUDIT_ARCH_X86_64}); got != eperm {
		t.Errorf("keyctl: got %#x, want EPERM", got)
	}
}

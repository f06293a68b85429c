package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// The filter is classic BPF over struct seccomp_data (seccomp(2)):
//
//	ld arch; x86_64 → ld nr; nr ≥ X32_SYSCALL_BIT → the x32 block
//	                                             else the x86_64 block
//	         i386   → ld nr; the i386 block
//	         other  → KILL_PROCESS: a foreign ABI must not slip by
//
// Each block returns ERRNO(ENOSYS) for a number above the highest one the
// profile knows on that ABI (as runc's patchbpf does, so that a libc
// newer than the profile falls back to an older syscall instead of
// reading EPERM as a refusal), then finds the number's rules by a binary
// search over ranges of numbers that share them, and checks the rules'
// argument conditions on the 64-bit arguments as two 32-bit halves (the
// low half only on i386, whose arguments are 32 bits).
//
// An ABI the profile does not list (an x32 or i386 call under a profile
// for x86_64 only) is killed, as libseccomp's bad-architecture action.
// On a kernel that runs no x32 syscalls (most: syscall.x32=n), every x32
// call gets the kernel's own ENOSYS from the filter, without an x32 block.
// The syscall numbers come from go-seccomp-bpf's tables (generated from
// the kernel's syscall tables; copied into zsysnum.go by go generate),
// one per ABI, so one rl build compiles all three.

// seccomp_data offsets.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// maxInsns is BPF_MAXINSNS: the kernel refuses a longer program.
const maxInsns = 4096

// abi is one calling convention the filter covers.
type abi struct {
	name  specs.Arch
	audit uint32
	bias  uint32 // X32_SYSCALL_BIT for x32
	wide  bool   // 64-bit arguments
	table sysTable
}

var (
	abiX86_64 = abi{specs.ArchX86_64, unix.AUDIT_ARCH_X86_64, 0, true, sysX86_64}
	abiX32    = abi{specs.ArchX32, unix.AUDIT_ARCH_X86_64, 0x40000000, true, sysX32}
	abiI386   = abi{specs.ArchX86, unix.AUDIT_ARCH_I386, 0, false, sysI386}
)

// insn is a struct sock_filter.
type insn struct {
	code   uint16
	jt, jf uint8
	k      uint32
}

// Compile turns resolved rules into a BPF program, as the bytes of a
// struct sock_filter array in the machine's byte order. known are the
// syscall names the profile mentions, resolved or not: the ENOSYS
// fallback starts above the highest of them. A nil profile compiles to
// nil: no filter.
func Compile(p *specs.LinuxSeccomp, known []string) ([]byte, error) {
	return compile(p, known, x32Enabled())
}

// x32Enabled reports whether this kernel runs x32 syscalls: most
// distributions build the ABI in but leave it off (syscall.x32=n), and
// then every x32 call fails with ENOSYS before any syscall runs, so the
// filter answers them so itself instead of carrying a block for them
// (a third of the program, which the kernel would check on every load).
var x32Enabled = sync.OnceValue(func() bool {
	_, _, errno := unix.Syscall(uintptr(abiX32.bias)|unix.SYS_GETPID, 0, 0, 0)
	return errno != unix.ENOSYS
})

func compile(p *specs.LinuxSeccomp, known []string, x32Kernel bool) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	if runtime.GOARCH != "amd64" {
		return nil, fmt.Errorf("compiling the seccomp filter: rl compiles filters for x86_64 only, not %s; use --security-opt seccomp=unconfined", runtime.GOARCH)
	}
	def, err := action(p.DefaultAction, p.DefaultErrnoRet)
	if err != nil {
		return nil, fmt.Errorf("defaultAction: %w", err)
	}
	b := &builder{rets: map[uint32]int{}, tramp: map[int]int{}}
	kill := b.ret(unix.SECCOMP_RET_KILL_PROCESS)
	// The native ABI is always in the filter; i386 and x32 when listed
	// (docker's archMap lists both for x86_64).
	x32, i386 := kill, kill
	if !x32Kernel {
		x32 = b.ret(unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS))
	} else if slices.Contains(p.Architectures, specs.ArchX32) {
		if x32, err = b.block(abiX32, p, def, known); err != nil {
			return nil, err
		}
	}
	if slices.Contains(p.Architectures, specs.ArchX86) {
		if i386, err = b.block(abiI386, p, def, known); err != nil {
			return nil, err
		}
		i386 = b.stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offNr, i386)
	}
	x86_64, err := b.block(abiX86_64, p, def, known)
	if err != nil {
		return nil, err
	}
	native := b.stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offNr,
		b.jump(unix.BPF_JGE, abiX32.bias, x32, x86_64))
	entry := b.stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offArch,
		b.jump(unix.BPF_JEQ, unix.AUDIT_ARCH_X86_64, native,
			b.jump(unix.BPF_JEQ, unix.AUDIT_ARCH_I386, i386, kill)))
	prog := b.program(entry)
	if len(prog) > maxInsns {
		return nil, fmt.Errorf("compiling the seccomp filter: %d instructions, above the kernel's limit of %d; simplify the profile", len(prog), maxInsns)
	}
	out := make([]byte, 0, 8*len(prog))
	for _, in := range prog {
		out = binary.NativeEndian.AppendUint16(out, in.code)
		out = append(out, in.jt, in.jf)
		out = binary.NativeEndian.AppendUint32(out, in.k)
	}
	return out, nil
}

// rule is one way a syscall can match: all of conds (ANDed), or none for
// an unconditional rule.
type rule struct {
	ret   uint32
	conds []specs.LinuxSeccompArg
}

// block compiles one ABI's part of the filter, with the syscall number
// in the accumulator, and returns its first instruction.
func (b *builder) block(a abi, p *specs.LinuxSeccomp, def uint32, known []string) (int, error) {
	rules := map[uint32][]rule{}
	for i, s := range p.Syscalls {
		ret, err := action(s.Action, s.ErrnoRet)
		if err != nil {
			return 0, fmt.Errorf("syscalls[%d].action: %w", i, err)
		}
		for _, name := range s.Names {
			// A name that is not a syscall of this ABI is ignored, as
			// libseccomp does.
			for _, n := range a.table.lookup(name) {
				nr := a.bias + uint32(n)
				rules[nr] = append(rules[nr], splitArgs(ret, s.Args)...)
			}
		}
	}
	top := uint32(0)
	for _, name := range known {
		for _, n := range a.table.lookup(name) {
			top = max(top, uint32(n))
		}
	}
	top += a.bias

	// Bodies first: the code is built from its end.
	body := map[uint32]int{}
	for _, nr := range sortedKeys(rules) {
		body[nr] = b.rules(a, rules[nr], def)
	}
	defNode := b.ret(def)
	type span struct {
		start uint32
		node  int
	}
	// The numbers of this ABI's syscalls: the others below the highest
	// are holes, which Linux never assigns later (a new syscall takes a
	// new number, the same on every ABI).
	var present []bool
	for _, e := range a.table {
		if e.nr >= len(present) {
			present = append(present, make([]bool, e.nr+1-len(present))...)
		}
		present[e.nr] = true
	}
	hole := func(n uint32) bool { return int(n) < len(present) && !present[n] }
	var spans []span
	for nr := a.bias; nr <= top; nr++ {
		node, ok := body[nr]
		if !ok && hole(nr-a.bias) && len(spans) > 0 {
			// No syscall has this number on this ABI: the kernel answers
			// ENOSYS whatever the filter lets through, so the number
			// joins its neighbours' span (x32's table has many holes).
			continue
		}
		if !ok {
			node = defNode
		}
		if len(spans) == 0 || spans[len(spans)-1].node != node {
			spans = append(spans, span{nr, node})
		}
	}
	var search func(lo, hi int) int
	search = func(lo, hi int) int {
		if hi-lo == 1 {
			return spans[lo].node
		}
		mid := (lo + hi) / 2
		right := search(mid, hi)
		left := search(lo, mid)
		return b.jump(unix.BPF_JGE, spans[mid].start, right, left)
	}
	tree := search(0, len(spans))
	if def == unix.SECCOMP_RET_ALLOW || def == unix.SECCOMP_RET_LOG {
		// Unknown syscalls are let through anyway: nothing to fall back
		// from.
		return b.jump(unix.BPF_JGT, top, defNode, tree), nil
	}
	return b.jump(unix.BPF_JGT, top, b.ret(unix.SECCOMP_RET_ERRNO|uint32(unix.ENOSYS)), tree), nil
}

// splitArgs is runc's reading of a rule's conditions: ANDed, unless two of
// them compare the same argument, when each is a rule of its own (ORed).
func splitArgs(ret uint32, args []specs.LinuxSeccompArg) []rule {
	seen := map[uint]bool{}
	dup := false
	for _, a := range args {
		dup = dup || seen[a.Index]
		seen[a.Index] = true
	}
	if !dup {
		return []rule{{ret, args}}
	}
	out := make([]rule, len(args))
	for i, a := range args {
		out[i] = rule{ret, []specs.LinuxSeccompArg{a}}
	}
	return out
}

// rules compiles one syscall's rules: the conditional ones in the
// profile's order, the first that matches deciding; then the first
// unconditional one, or the default action.
func (b *builder) rules(a abi, rs []rule, def uint32) int {
	fallback := def
	if i := slices.IndexFunc(rs, func(r rule) bool { return len(r.conds) == 0 }); i >= 0 {
		fallback = rs[i].ret
	}
	next := b.ret(fallback)
	conditional := slices.DeleteFunc(slices.Clone(rs), func(r rule) bool { return len(r.conds) == 0 })
	for i := len(conditional); i > 0; {
		if j := equalRun(conditional[:i]); j < i-1 {
			next = b.anyEqual(a, conditional[j:i], next)
			i = j
			continue
		}
		i--
		r := conditional[i]
		ok := b.ret(r.ret)
		for _, c := range slices.Backward(r.conds) {
			ok = b.cond(a, c, ok, next)
		}
		next = ok
	}
	return next
}

// equalRun returns where the run of rules at the end of rs starts whose
// rules each compare one argument, the same one, to a value with the same
// high half, and return the same: (rs[j:]) those are "the argument is
// one of these values", whatever their order.
func equalRun(rs []rule) int {
	last := rs[len(rs)-1]
	same := func(r rule) bool {
		return len(r.conds) == 1 && r.conds[0].Op == specs.OpEqualTo && r.ret == last.ret &&
			r.conds[0].Index == last.conds[0].Index && r.conds[0].Value>>32 == last.conds[0].Value>>32
	}
	j := len(rs)
	for j > 0 && same(rs[j-1]) {
		j--
	}
	return j
}

// anyEqual compiles a run of rules from equalRun: the argument's halves
// are loaded once (the high one compared once, on a 64-bit ABI), then the
// low half is compared to each value in turn, to the rules' return when
// one is equal, else to next. Docker's profile lists socket's address
// families so, 4 instructions each otherwise.
func (b *builder) anyEqual(a abi, rs []rule, next int) int {
	const ld = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
	c := rs[0].conds[0]
	lo := uint32(offArgs + 8*c.Index)
	ok := b.ret(rs[0].ret)
	n := next
	for _, r := range slices.Backward(rs) {
		n = b.jump(unix.BPF_JEQ, uint32(r.conds[0].Value), ok, n)
	}
	n = b.stmt(ld, lo, n)
	if a.wide {
		n = b.stmt(ld, lo+4, b.jump(unix.BPF_JEQ, uint32(c.Value>>32), n, next))
	}
	return n
}

// cond compiles one comparison of an argument: to t when it holds, else
// to f.
func (b *builder) cond(a abi, c specs.LinuxSeccompArg, t, f int) int {
	const ld = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
	lo := uint32(offArgs + 8*c.Index) // little-endian: the low half first
	hi := lo + 4
	v, v2 := c.Value, c.ValueTwo
	vlo, vhi := uint32(v), uint32(v>>32)
	loOnly := func(op uint16, k uint32, t, f int) int {
		return b.stmt(ld, lo, b.jump(op, k, t, f))
	}
	// The low half's test, then, on a 64-bit ABI, the high half's.
	switch c.Op {
	case specs.OpEqualTo:
		n := loOnly(unix.BPF_JEQ, vlo, t, f)
		if a.wide {
			n = b.stmt(ld, hi, b.jump(unix.BPF_JEQ, vhi, n, f))
		}
		return n
	case specs.OpNotEqual:
		n := loOnly(unix.BPF_JEQ, vlo, f, t)
		if a.wide {
			n = b.stmt(ld, hi, b.jump(unix.BPF_JEQ, vhi, n, t))
		}
		return n
	case specs.OpGreaterThan, specs.OpGreaterEqual:
		op := uint16(unix.BPF_JGT)
		if c.Op == specs.OpGreaterEqual {
			op = unix.BPF_JGE
		}
		n := loOnly(op, vlo, t, f)
		if a.wide {
			// hi > vhi, or hi == vhi and the low half decides.
			n = b.stmt(ld, hi, b.jump(unix.BPF_JGT, vhi, t, b.jump(unix.BPF_JEQ, vhi, n, f)))
		}
		return n
	case specs.OpLessThan, specs.OpLessEqual:
		// x < v is !(x >= v); x <= v is !(x > v).
		op := uint16(unix.BPF_JGE)
		if c.Op == specs.OpLessEqual {
			op = unix.BPF_JGT
		}
		n := loOnly(op, vlo, f, t)
		if a.wide {
			n = b.stmt(ld, hi, b.jump(unix.BPF_JGT, vhi, f, b.jump(unix.BPF_JEQ, vhi, n, t)))
		}
		return n
	case specs.OpMaskedEqual:
		// (arg & Value) == ValueTwo
		mlo, mhi := vlo, vhi
		dlo, dhi := uint32(v2), uint32(v2>>32)
		n := b.stmt(ld, lo, b.stmt(unix.BPF_ALU|unix.BPF_AND|unix.BPF_K, mlo, b.jump(unix.BPF_JEQ, dlo, t, f)))
		if a.wide {
			switch {
			case mhi == 0 && dhi == 0:
				// The high half cannot matter.
			case mhi == 0:
				return f
			default:
				n = b.stmt(ld, hi, b.stmt(unix.BPF_ALU|unix.BPF_AND|unix.BPF_K, mhi, b.jump(unix.BPF_JEQ, dhi, n, f)))
			}
		}
		return n
	}
	// validate refused every other operator.
	panic("seccomp: unknown operator " + string(c.Op))
}

// action is the SECCOMP_RET_ value of a profile's action.
func action(a specs.LinuxSeccompAction, errno *uint) (uint32, error) {
	data := func(def uint32) uint32 {
		if errno == nil {
			return def
		}
		return uint32(*errno) & unix.SECCOMP_RET_DATA
	}
	switch a {
	case specs.ActAllow:
		return unix.SECCOMP_RET_ALLOW, nil
	case specs.ActErrno:
		return unix.SECCOMP_RET_ERRNO | data(uint32(unix.EPERM)), nil
	case specs.ActKill, specs.ActKillThread:
		return unix.SECCOMP_RET_KILL_THREAD, nil
	case specs.ActKillProcess:
		return unix.SECCOMP_RET_KILL_PROCESS, nil
	case specs.ActTrap:
		return unix.SECCOMP_RET_TRAP, nil
	case specs.ActTrace:
		return unix.SECCOMP_RET_TRACE | data(uint32(unix.EPERM)), nil
	case specs.ActLog:
		return unix.SECCOMP_RET_LOG, nil
	}
	return 0, fmt.Errorf("action %q is not supported by rl", a)
}

func sortedKeys(m map[uint32][]rule) []uint32 {
	keys := make([]uint32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// builder assembles a program from its end to its start, so that every
// jump's target exists when the jump is written and its distance is
// known (Chromium's seccomp-bpf code generator works so too). A node is
// an index into rev, the program reversed. A conditional jump reaches
// 255 instructions at most; a farther target goes through a BPF_JA,
// which reaches any.
type builder struct {
	rev   []insn
	rets  map[uint32]int // the latest return of each value
	tramp map[int]int    // the latest BPF_JA to each node
}

func (b *builder) add(in insn) int {
	b.rev = append(b.rev, in)
	return len(b.rev) - 1
}

// dist is the offset of a jump, written next, to node t.
func (b *builder) dist(t int) int { return len(b.rev) - 1 - t }

func (b *builder) ja(t int) int {
	return b.add(insn{code: unix.BPF_JMP | unix.BPF_JA, k: uint32(b.dist(t))})
}

// ret returns a node returning k, shared by every jump to it.
func (b *builder) ret(k uint32) int {
	if n, ok := b.rets[k]; ok {
		return n
	}
	n := b.add(insn{code: unix.BPF_RET | unix.BPF_K, k: k})
	b.rets[k] = n
	return n
}

// stmt writes a non-jump instruction followed by next.
func (b *builder) stmt(code uint16, k uint32, next int) int {
	if next != len(b.rev)-1 {
		if !b.retCopy(next) {
			b.ja(next)
		}
	}
	return b.add(insn{code: code, k: k})
}

// retCopy writes a copy of node t when t is a return, which is as long
// as a jump to it, one step shorter to run, and shared by the jumps
// written after it (ret finds it): it reports whether it wrote one.
func (b *builder) retCopy(t int) bool {
	in := b.rev[t]
	if in.code != unix.BPF_RET|unix.BPF_K {
		return false
	}
	b.rets[in.k] = b.add(in)
	return true
}

// near returns a node that does what t does and that a jump written next
// reaches: t itself, a copy of t when t is a return, the latest
// trampoline to t while it is in reach, or a new one.
func (b *builder) near(t int) int {
	switch {
	case b.dist(t) <= 255:
		return t
	case b.retCopy(t):
		return len(b.rev) - 1
	}
	if n, ok := b.tramp[t]; ok && b.dist(n) <= 255 {
		return n
	}
	n := b.ja(t)
	b.tramp[t] = n
	return n
}

// jump writes "if A op k goto t else goto f".
func (b *builder) jump(op uint16, k uint32, t, f int) int {
	if t == f {
		return t
	}
	for {
		switch {
		case b.dist(t) > 255:
			t = b.near(t)
		case b.dist(f) > 255:
			f = b.near(f)
		default:
			return b.add(insn{code: unix.BPF_JMP | op | unix.BPF_K, jt: uint8(b.dist(t)), jf: uint8(b.dist(f)), k: k})
		}
	}
}

// program returns the instructions in order, entry first.
func (b *builder) program(entry int) []insn {
	if entry != len(b.rev)-1 {
		b.ja(entry)
	}
	prog := slices.Clone(b.rev)
	slices.Reverse(prog)
	return prog
}

// errBadProgram is a cached program that is not a whole number of
// instructions or is too long.
var errBadProgram = errors.New("not a BPF program")

// CheckProgram checks that p looks like a compiled filter.
func CheckProgram(p []byte) error {
	if len(p) == 0 || len(p)%8 != 0 || len(p)/8 > maxInsns {
		return errBadProgram
	}
	return nil
}

package launch

import (
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/handshake"
)

const (
	userNS = unix.CLONE_NEWUSER
	own    = unix.CLONE_NEWPID | unix.CLONE_NEWIPC | unix.CLONE_NEWUTS
	mntNet = unix.CLONE_NEWNS | unix.CLONE_NEWNET
)

// TestPlanFor is the table of docs/internal.md: every variant's clone
// flags, first message and steps.
func TestPlanFor(t *testing.T) {
	tests := []struct {
		name  string
		v     Variant
		flags uintptr
		begin handshake.Variant
		steps []Step
	}{
		{
			name: "plain", v: Variant{Kind: Container},
			flags: userNS | own | mntNet, begin: handshake.VariantContainer,
			steps: []Step{StepClone, StepMaps, StepBegin, StepNetwork, StepPlace, StepStart, StepAwait},
		},
		{
			name: "plain with a cgroup to make", v: Variant{Kind: Container, Places: true},
			flags: userNS | own | mntNet, begin: handshake.VariantContainer,
			steps: []Step{StepClone, StepMaps, StepBegin, StepNetwork, StepStart, StepPlace, StepPlaced, StepAwait},
		},
		{
			name: "host network", v: Variant{Kind: Container, HostNetwork: true},
			flags: userNS | own | unix.CLONE_NEWNS, begin: handshake.VariantContainer,
			steps: []Step{StepClone, StepMaps, StepBegin, StepNetwork, StepPlace, StepStart, StepAwait},
		},
		{
			name: "real root", v: Variant{Kind: Container, Privileged: true},
			flags: own | mntNet, begin: handshake.VariantPrivileged,
			steps: []Step{StepClone, StepBegin, StepNetwork, StepPlace, StepStart, StepAwait},
		},
		{
			name: "real root with a cgroup to make", v: Variant{Kind: Container, Privileged: true, Places: true},
			flags: own | mntNet, begin: handshake.VariantPrivileged,
			steps: []Step{StepClone, StepBegin, StepNetwork, StepStart, StepPlace, StepPlaced, StepAwait},
		},
		{
			name: "keep-id", v: Variant{Kind: Container, KeepID: true, Places: true},
			flags: userNS | mntNet, begin: handshake.VariantContainer,
			steps: []Step{StepClone, StepMaps, StepBegin, StepNetwork, StepPlace, StepStart, StepStart, StepAwait},
		},
		{
			name: "pod infra", v: Variant{Kind: Container, Infra: true, Places: true},
			flags: userNS | own | mntNet, begin: handshake.VariantContainer,
			steps: []Step{StepClone, StepMaps, StepBegin, StepNetwork, StepPlace, StepStart, StepAwait},
		},
		{
			name: "shared user namespace", v: Variant{Kind: Container, Shared: true},
			begin: handshake.VariantShared,
			steps: []Step{StepClone, StepBegin, StepPlace, StepJoin, StepJoined, StepNetwork, StepStart, StepAwait},
		},
		{
			name: "shared user namespace with a cgroup to make", v: Variant{Kind: Container, Shared: true, Places: true},
			begin: handshake.VariantShared,
			steps: []Step{StepClone, StepBegin, StepPlace, StepJoin, StepJoined, StepNetwork, StepStart, StepAwait},
		},
		{
			name: "shared user namespace on user-defined networks", v: Variant{Kind: Container, Shared: true, Networks: true},
			begin: handshake.VariantShared,
			steps: []Step{StepClone, StepBegin, StepPlace, StepJoin, StepJoined, StepStart, StepNetwork, StepNetworked, StepAwait},
		},
		{
			name: "shared user namespace, keep-id: its own", v: Variant{Kind: Container, Shared: true, KeepID: true, Places: true},
			flags: userNS | mntNet, begin: handshake.VariantContainer,
			steps: []Step{StepClone, StepMaps, StepBegin, StepNetwork, StepPlace, StepStart, StepStart, StepAwait},
		},
		{
			name: "network of another container", v: Variant{Kind: Container, JoinNetwork: true},
			begin: handshake.VariantShared,
			steps: []Step{StepClone, StepBegin, StepPlace, StepJoin, StepJoined, StepStart, StepAwait},
		},
		{
			name: "network of another container, real root", v: Variant{Kind: Container, JoinNetwork: true, Privileged: true, Places: true},
			begin: handshake.VariantShared,
			steps: []Step{StepClone, StepBegin, StepPlace, StepJoin, StepJoined, StepStart, StepAwait},
		},
		{
			name: "holder", v: Variant{Kind: Holder},
			flags: userNS, begin: handshake.VariantHolder,
			steps: []Step{StepClone, StepMaps, StepRecord, StepBegin, StepAwait},
		},
		{
			name: "pod member", v: Variant{Kind: PodMember, Places: true},
			begin: handshake.VariantPod,
			steps: []Step{StepClone, StepBegin, StepPlace, StepJoin, StepStart, StepAwait},
		},
		{
			name: "exec", v: Variant{Kind: Exec},
			begin: handshake.VariantExec,
			steps: []Step{StepClone, StepBegin, StepJoin, StepStart, StepAwait},
		},
		{
			name: "exec into a cgroup", v: Variant{Kind: Exec, Places: true},
			begin: handshake.VariantExec,
			steps: []Step{StepClone, StepBegin, StepAttach, StepJoin, StepStart, StepAwait},
		},
		{
			name: "remove", v: Variant{Kind: Remove},
			flags: userNS, begin: handshake.VariantRemove,
			steps: []Step{StepClone, StepMaps, StepBegin, StepRemove, StepAwaitEnd},
		},
		{
			name: "remove as real root", v: Variant{Kind: Remove, Privileged: true},
			begin: handshake.VariantPrivileged,
			steps: []Step{StepClone, StepBegin, StepRemove, StepAwaitEnd},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PlanFor(tt.v)
			if p.Flags != tt.flags {
				t.Errorf("flags %#x, want %#x", p.Flags, tt.flags)
			}
			if p.Begin != tt.begin {
				t.Errorf("begin %q, want %q", p.Begin, tt.begin)
			}
			if !slices.Equal(p.Steps, tt.steps) {
				t.Errorf("steps\n got %v\nwant %v", p.Steps, tt.steps)
			}
		})
	}
}

// TestPlanInvariants holds for every combination of the variant's fields.
func TestPlanInvariants(t *testing.T) {
	for _, kind := range []Kind{Container, PodMember, Exec, Remove, Holder} {
		for bits := range 256 {
			v := Variant{
				Kind: kind, Privileged: bits&1 != 0, KeepID: bits&2 != 0, Infra: bits&4 != 0,
				HostNetwork: bits&8 != 0, Places: bits&16 != 0, Shared: bits&32 != 0,
				JoinNetwork: bits&64 != 0, Networks: bits&128 != 0,
			}
			if kind == Holder && v.Privileged {
				continue // real root shares no user namespace: it has none
			}
			p := PlanFor(v)
			if p.Begin == handshake.VariantShared {
				joined, network := slices.Index(p.Steps, StepJoined), slices.Index(p.Steps, StepNetwork)
				if p.Unshare&unix.CLONE_NEWUSER != 0 || p.Unshare&unix.CLONE_NEWPID == 0 || joined < 0 || joined > network && network >= 0 {
					t.Errorf("%+v: rl-init makes the namespaces but the user one, and says so before the network: %#x %v", v, p.Unshare, p.Steps)
				}
				// A joined network is that of another container: none to
				// make, no helpers to start.
				if joins := v.JoinNetwork && kind == Container && !v.KeepID; joins != (network < 0) || joins && p.Unshare&unix.CLONE_NEWNET != 0 {
					t.Errorf("%+v: a network joined is neither made nor started: %#x %v", v, p.Unshare, p.Steps)
				}
			}
			// Networked follows the attach, and the spec comes before it:
			// rl-init waits for it only after a Start that says so.
			if i := slices.Index(p.Steps, StepNetworked); i >= 0 && (slices.Index(p.Steps, StepNetwork) != i-1 || slices.Index(p.Steps, StepStart) > i) {
				t.Errorf("%+v: Networked right after the network, and after the Start: %v", v, p.Steps)
			}
			if p.Steps[0] != StepClone {
				t.Errorf("%+v: the first step is %s, not clone", v, p.Steps[0])
			}
			if last := p.Steps[len(p.Steps)-1]; last != StepAwait && last != StepAwaitEnd {
				t.Errorf("%+v: the last step is %s", v, last)
			}
			begin := slices.Index(p.Steps, StepBegin)
			if begin < 0 || slices.Index(p.Steps, StepMaps) > begin {
				t.Errorf("%+v: Begin must come, after the maps: %v", v, p.Steps)
			}
			if (p.Flags&unix.CLONE_NEWUSER != 0) != slices.Contains(p.Steps, StepMaps) {
				t.Errorf("%+v: a new user namespace needs its maps, and only it: %v", v, p.Steps)
			}
			if v.Privileged && p.Flags&unix.CLONE_NEWUSER != 0 {
				t.Errorf("%+v: real root gets no user namespace", v)
			}
			if p.Begin.Joins() != (p.Flags == 0 && kind != Remove) {
				t.Errorf("%+v: a joining variant clones no namespace: flags %#x", v, p.Flags)
			}
		}
	}
}

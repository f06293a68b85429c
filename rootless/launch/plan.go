package launch

import (
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/handshake"
)

// Kind is what a launch starts.
type Kind string

// The kinds of launch.
const (
	// Container: a container's init in new namespaces (a pod's infra
	// process is one too).
	Container Kind = "container"
	// PodMember: a container of a pod, which joins the pod's namespaces.
	PodMember Kind = "pod-member"
	// Exec: a command in a running container (rl exec).
	Exec Kind = "exec"
	// Remove: removing paths from inside a user namespace with the
	// caller's full mapping.
	Remove Kind = "remove"
	// Holder: the process that holds the caller's shared user namespace
	// (holder.go).
	Holder Kind = "holder"
)

// Variant is everything that decides the shape of a launch.
type Variant struct {
	Kind Kind
	// Privileged is real root: no user namespace and no maps.
	Privileged bool
	// KeepID (Container): rl-init nests a second user namespace, in
	// which it makes the container's other namespaces itself.
	KeepID bool
	// Infra (Container): a pod's infra process, which reads no message
	// after its Start.
	Infra bool
	// HostNetwork (Container): --network host, no network namespace.
	HostNetwork bool
	// Shared (Container): rl-init joins the caller's shared user
	// namespace, that of the holder (Target), instead of making one.
	Shared bool
	// JoinNetwork (Container): --network container:, rl-init joins the
	// user and network namespaces of Target, the other container's
	// rl-init, and makes the rest; that container's network is up
	// already, so no helper starts for this one.
	JoinNetwork bool
	// Places: there is a cgroup to put rl-init in (a scope to make, or,
	// for Exec, the container's to join).
	Places bool
	// Networks (Container): on user-defined networks (network.Bridge),
	// whose attach (netavark) does not need the spec: rl-init sets the
	// container up meanwhile and waits for Networked before the exec (but
	// a pod's infra process, which reads nothing after its Start).
	Networks bool
}

// Step is one step of a launch, carried out by the runner in order.
type Step string

// The steps.
const (
	StepClone     Step = "clone"            // start rl-init with the plan's clone flags
	StepMaps      Step = "write-maps"       // newuidmap/newgidmap on rl-init's pid
	StepRecord    Step = "record-holder"    // note the holder's pid (Options.Record)
	StepBegin     Step = "send-begin"       // tell rl-init its variant (and target)
	StepNetwork   Step = "start-network"    // slirp4netns or pasta on rl-init's namespaces
	StepPlace     Step = "place-in-cgroup"  // the container's new cgroup (systemd scope or cgroupfs)
	StepAttach    Step = "attach-to-cgroup" // the running container's cgroup (exec)
	StepStart     Step = "send-start"       // the spec
	StepPlaced    Step = "send-placed"      // rl-init may make its cgroup namespace now
	StepNetworked Step = "send-networked"   // the network is up: rl-init may execute the command
	StepJoin      Step = "send-join"        // in the cgroup now: join the namespaces
	StepJoined    Step = "await-joined"     // rl-init has joined and made its namespaces
	StepRemove    Step = "send-remove"      // the paths to remove
	StepAwait     Step = "await-exec"       // read rl-init's messages until the command runs
	StepAwaitEnd  Step = "await-exit"       // wait for rl-init to finish (Remove)
)

// Plan is how one launch goes: rl-init's clone flags, the variant it is
// told first, and the steps.
type Plan struct {
	Flags uintptr
	Begin handshake.Variant
	// Unshare (VariantShared) are the namespaces that rl-init makes once
	// it has joined the shared user namespace.
	Unshare uintptr
	Steps   []Step
}

// PlanFor returns the plan of a launch of variant v. It is pure: the table
// in docs/internal.md is its output.
func PlanFor(v Variant) Plan {
	switch v.Kind {
	case PodMember:
		// rl-init's constructor joins the pod's namespaces once it is in
		// its cgroup (Join); the network is the pod's.
		return Plan{Begin: handshake.VariantPod, Steps: []Step{StepClone, StepBegin, StepPlace, StepJoin, StepStart, StepAwait}}
	case Exec:
		steps := []Step{StepClone, StepBegin}
		if v.Places {
			steps = append(steps, StepAttach)
		}
		return Plan{Begin: handshake.VariantExec, Steps: append(steps, StepJoin, StepStart, StepAwait)}
	case Holder:
		return Plan{Flags: unix.CLONE_NEWUSER, Begin: handshake.VariantHolder, Steps: []Step{StepClone, StepMaps, StepRecord, StepBegin, StepAwait}}
	case Remove:
		p := Plan{Flags: unix.CLONE_NEWUSER, Begin: handshake.VariantRemove, Steps: []Step{StepClone, StepMaps}}
		if v.Privileged {
			p = Plan{Begin: handshake.VariantPrivileged, Steps: []Step{StepClone}}
		}
		p.Steps = append(p.Steps, StepBegin, StepRemove, StepAwaitEnd)
		return p
	}
	if v.JoinNetwork && v.Kind == Container && !v.KeepID {
		// As a container in the shared user namespace, but for its
		// network, which rl-init's constructor joins with the user
		// namespace (that of real root, its own, is skipped there).
		return Plan{
			Begin: handshake.VariantShared, Unshare: containerFlags(v) &^ (unix.CLONE_NEWUSER | unix.CLONE_NEWNET),
			Steps: []Step{StepClone, StepBegin, StepPlace, StepJoin, StepJoined, StepStart, StepAwait},
		}
	}
	if v.Shared && v.canShare() {
		// rl-init's constructor joins the shared user namespace, makes
		// the rest of the container's namespaces and forks, once it is in
		// its cgroup (Join, as a pod's member); the network's helpers
		// join those namespaces once it says Joined.
		steps := []Step{StepClone, StepBegin, StepPlace, StepJoin, StepJoined, StepNetwork, StepStart, StepAwait}
		if v.Networks && !v.Infra {
			// rl-init builds the container while netavark works.
			steps = []Step{StepClone, StepBegin, StepPlace, StepJoin, StepJoined, StepStart, StepNetwork, StepNetworked, StepAwait}
		}
		return Plan{Begin: handshake.VariantShared, Unshare: containerFlags(v) &^ unix.CLONE_NEWUSER, Steps: steps}
	}
	p := Plan{Flags: containerFlags(v), Begin: handshake.VariantContainer, Steps: []Step{StepClone, StepMaps}}
	if v.Privileged {
		// Real root holds its capabilities from its first exec: no maps,
		// no second exec.
		p.Begin, p.Steps = handshake.VariantPrivileged, []Step{StepClone}
	}
	// The network's helpers need rl-init's namespaces with their maps,
	// before rl-init pivots.
	p.Steps = append(p.Steps, StepBegin, StepNetwork)
	switch {
	case v.Places && !v.KeepID && !v.Infra:
		// rl-init builds the root filesystem while the scope is made: it
		// waits for Placed only before it makes its cgroup namespace.
		p.Steps = append(p.Steps, StepStart, StepPlace, StepPlaced)
	case v.KeepID:
		// One Start for the outer rl-init, one for the nested one, which
		// makes the container's namespaces at once.
		p.Steps = append(p.Steps, StepPlace, StepStart, StepStart)
	default:
		// An infra process reads nothing after its Start.
		p.Steps = append(p.Steps, StepPlace, StepStart)
	}
	p.Steps = append(p.Steps, StepAwait)
	return p
}

// canShare is true for the containers that may join the caller's shared
// user namespace: those of the default mapping (keep-id nests a user
// namespace of its own; real root has none) that do not join another
// container's (JoinNetwork).
func (v Variant) canShare() bool {
	return v.Kind == Container && !v.Privileged && !v.KeepID && !v.JoinNetwork
}

// containerFlags are the namespaces of a container's first clone.
func containerFlags(v Variant) uintptr {
	// Real root needs no user namespace: container root is real root, as
	// with rootful runtimes, and overlayfs keeps its metadata in trusted.*
	// xattrs, as containers/storage writes them for root.
	var flags uintptr = unix.CLONE_NEWUSER
	if v.Privileged {
		flags = 0
	}
	if !v.KeepID {
		// With keep-id, rl-init creates these itself inside the nested
		// user namespace, which must own them. The cgroup namespace is
		// rl-init's to make, once it is in its cgroup.
		flags |= unix.CLONE_NEWPID | unix.CLONE_NEWIPC | unix.CLONE_NEWUTS
	}
	// The network and mount namespaces are always in the first clone: the
	// network helpers join both at rl-init's pid (nsenter -n -m), which
	// they can only do for namespaces of a user namespace they own.
	flags |= unix.CLONE_NEWNS
	if !v.HostNetwork {
		flags |= unix.CLONE_NEWNET
	}
	return flags
}

// Package handshake is the protocol between the rl front end (parent, on
// the host) and rl-init (child, in the container's namespaces): typed
// messages, one per packet, over a SOCK_SEQPACKET socket pair, with file
// descriptors passed as SCM_RIGHTS. docs/internal.md shows the sequence.
package handshake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

// Environment variables of rl-init.
const (
	// EnvSyncFD is the number of rl-init's end of the sync socket, set
	// by the front end: the only thing rl-init learns from its
	// environment. Everything else comes in messages.
	EnvSyncFD = "_RL_SYNC_FD"
	// EnvStage is rl-init's note to itself across its own re-executions:
	// the variant it runs as, once it has re-executed itself after the
	// maps were written (VariantContainer, VariantRemove), or in keep-id's
	// nested user namespace (VariantNested). The front end never sets it.
	EnvStage = "_RL_STAGE"
	// EnvSeal, set to 1 by the front end, makes rl-init run from a sealed
	// copy of itself in memory (cmd/rl-init/stage1.go, rl_exec_sealed):
	// when the container's root could write the binary (CVE-2019-5736).
	EnvSeal = "_RL_SEAL"
	// EnvRoot is the fd of the detached copy of the container's root
	// filesystem that the outer rl-init of a nested user namespace
	// mounted, for the nested one.
	EnvRoot = "_RL_ROOT"
	// EnvBinds are the fds of the bind mounts' sources that the outer
	// rl-init of a nested user namespace detached, one per spec mount
	// ("-1" for a mount that is not a bind), comma-separated.
	EnvBinds = "_RL_BINDS"
	// EnvSealed is rl-init's note to itself that it runs from that copy.
	EnvSealed = "_RL_SEALED"
	// EnvExitFD is the number of the write end of rl-init's exit pipe,
	// set by the front end: the parent that rl-init's constructor leaves
	// on the host's side of a pid namespace writes its exit code there,
	// one byte, before it exits (cmd/rl-init/stage1.go, rl_join).
	EnvExitFD = "_RL_EXIT_FD"
	// EnvPurge makes rl-init the purge of removed containers' files
	// (rootless/store.Purge, cmd/rl-init/purge.go), set by the front end:
	// the number of pidfds to wait for and the containers' ids,
	// space-separated. rl-init unsets it before it execs EnvPurgeRL.
	EnvPurge = "_RL_PURGE_C"
	// EnvPurgeRL is the rl whose own purge (RunPurger) rl-init execs
	// where it cannot finish (files of subordinate ids), its fds in place.
	EnvPurgeRL = "_RL_PURGE_RL"
)

// Variant is the form of an rl-init run, which the front end names in its
// first message (Begin).
type Variant string

// The variants.
const (
	// VariantContainer: a container's init in namespaces of its own; the
	// maps are written, so rl-init executes itself again to gain its
	// capabilities.
	VariantContainer Variant = "container"
	// VariantPrivileged: a container of real root: no user namespace and
	// no maps, capabilities from the first exec.
	VariantPrivileged Variant = "privileged"
	// VariantPod: a container of a pod: rl-init's constructor joins the
	// user, network, uts and IPC namespaces of Target, the pod's infra
	// process, and makes a mount and a pid namespace of its own.
	VariantPod Variant = "pod"
	// VariantExec: rl exec: rl-init's constructor joins every namespace
	// of Target, the container's init, and the process becomes the
	// command.
	VariantExec Variant = "exec"
	// VariantRemove: removing files in a user namespace with the caller's
	// full mapping (a Remove message follows).
	VariantRemove Variant = "remove"
	// VariantNested: keep-id's inner rl-init, started by the outer one
	// (never named in a Begin message).
	VariantNested Variant = "nested"
	// VariantShared: a container's init in the caller's shared user
	// namespace: rl-init's constructor joins the user namespace of
	// Target, the holder, makes the namespaces Unshare names, says Joined
	// and forks; the child is the container's init, with its capabilities
	// from the join (no maps to wait for, no second exec).
	VariantShared Variant = "shared"
	// VariantHolder: the holder of the caller's shared user namespace:
	// with its maps written, rl-init's constructor detaches (clears its
	// parent death signal, closes its fds, says Exec) and sleeps until it
	// is killed.
	VariantHolder Variant = "holder"
)

// Joins is true for the variants whose rl-init joins the namespaces of a
// running process (Target), which only its C constructor can do.
func (v Variant) Joins() bool { return v == VariantPod || v == VariantExec || v == VariantShared }

// ExitCode turns a wait status into a shell-style exit code: the exit
// status, or 128+N for a death by signal N.
func ExitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// Kind names a message.
type Kind string

// The messages, in the order they travel.
const (
	// Begin (parent → child, first): the variant, and the pid whose
	// namespaces to join. Sent once the uid/gid maps are written, for the
	// variants that have maps: the child may then exec itself to gain its
	// capabilities in the user namespace.
	Begin Kind = "begin"
	// Start (parent → child): the container spec; set it up and exec.
	// For rl exec, the spec of the command to execute in the container.
	Start Kind = "start"
	// Join (parent → child, rl exec, containers of a pod and of the
	// shared user namespace): the process is in the container's cgroup;
	// join the namespaces.
	Join Kind = "join"
	// Joined (child → parent, VariantShared): the constructor is in the
	// shared user namespace and has made the container's namespaces; the
	// network's helpers may join them at its pid.
	Joined Kind = "joined"
	// Placed (parent → child, after a Start with AwaitCgroup): rl-init
	// is in the container's cgroup now; it may make its cgroup namespace.
	Placed Kind = "placed"
	// Networked (parent → child, after a Start with AwaitNetwork): the
	// container is on its networks, with its /etc/hosts and resolv.conf
	// written; rl-init may execute the command.
	Networked Kind = "networked"
	// Remove (parent → child): remove the paths in Paths from inside the
	// user namespace, where files owned by subordinate ids are ours.
	Remove Kind = "remove"
	// PTY (child → parent): the master of the container's terminal rides
	// along as SCM_RIGHTS.
	PTY Kind = "pty"
	// Exec (child → parent): setup is done; the command is being
	// executed. A Failed may still follow if execve(2) fails.
	Exec Kind = "exec"
	// Failed (child → parent): setup failed; Error says why. The child
	// exits after sending it.
	Failed Kind = "failed"
)

// Message is one packet. The socket is close-on-exec, so after Exec the
// parent reads EOF once the command's execve(2) succeeded; EOF without Exec
// means rl-init died during setup.
type Message struct {
	Kind Kind `json:"kind"`
	// Variant and Target are Begin's, and Unshare, VariantShared's: the
	// clone(2) flags of the namespaces to make after the join.
	Variant Variant    `json:"variant,omitempty"`
	Target  int        `json:"target,omitempty"`
	Unshare uintptr    `json:"unshare,omitempty"`
	Spec    *spec.Spec `json:"spec,omitempty"`
	Paths   []string   `json:"paths,omitempty"`
	Error   *Error     `json:"error,omitempty"`
}

// Error is a setup failure reported by the child, with the exit code the
// front end should use (125, 126 or 127).
type Error struct {
	Op    string `json:"op"`
	Msg   string `json:"msg"`
	Errno int    `json:"errno,omitempty"`
	Code  int    `json:"code"`
	// Cause names a known cause the front end can give advice for.
	Cause string `json:"cause,omitempty"`
}

// Known causes of a setup failure.
const (
	// CauseOverlay: the kernel refused the root overlay mount.
	CauseOverlay = "overlay"
)

func (e *Error) Error() string { return e.Op + ": " + e.Msg }

// Unwrap returns the errno, so that errors.Is(err, unix.EPERM) works on the
// parent side.
func (e *Error) Unwrap() error {
	if e.Errno == 0 {
		return nil
	}
	return unix.Errno(e.Errno)
}

// maxPacket bounds one message. The socket's send buffer
// (net.core.wmem_default, about 208 KiB) is the tighter limit.
const maxPacket = 1 << 20

// Pair returns a connected socket pair: the parent's end and the child's.
// Both are close-on-exec; the child's end is passed explicitly.
func Pair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("creating sync socket: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "sync-parent"), os.NewFile(uintptr(fds[1]), "sync-child"), nil
}

// Send writes m to the socket fd, passing fds along.
func Send(fd int, m Message, fds ...int) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	if err := unix.Sendmsg(fd, b, oob, nil, 0); err != nil {
		if errors.Is(err, unix.EMSGSIZE) {
			return fmt.Errorf("sending %s message: %d bytes is more than one message can carry (net.core.wmem_default): pass a smaller environment", m.Kind, len(b))
		}
		return fmt.Errorf("sending %s message: %w", m.Kind, err)
	}
	return nil
}

// Recv reads one message from the socket fd, with any fds that came with
// it. It returns io.EOF when the other end closed.
func Recv(fd int) (Message, []int, error) {
	var m Message
	buf := make([]byte, maxPacket)
	oob := make([]byte, unix.CmsgSpace(4*4))
	reset := false
	for {
		n, oobn, flags, _, err := unix.Recvmsg(fd, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		// A peer that exits with messages of ours unread (rl-init's
		// Failed while the front end's next message waits) makes one
		// recvmsg(2) fail with ECONNRESET ahead of what it sent: read on.
		if errors.Is(err, unix.ECONNRESET) && !reset {
			reset = true
			continue
		}
		if err != nil {
			return m, nil, fmt.Errorf("receiving message: %w", err)
		}
		if n == 0 && oobn == 0 {
			return m, nil, io.EOF
		}
		if flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) != 0 {
			return m, nil, errors.New("receiving message: message truncated")
		}
		fds, err := parseRights(oob[:oobn])
		if err != nil {
			return m, nil, err
		}
		if err := json.Unmarshal(buf[:n], &m); err != nil {
			return m, fds, fmt.Errorf("decoding message: %w", err)
		}
		return m, fds, nil
	}
}

func parseRights(oob []byte) ([]int, error) {
	if len(oob) == 0 {
		return nil, nil
	}
	cmsgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("parsing control message: %w", err)
	}
	var fds []int
	for _, c := range cmsgs {
		f, err := unix.ParseUnixRights(&c)
		if err != nil {
			return nil, fmt.Errorf("parsing passed fds: %w", err)
		}
		fds = append(fds, f...)
	}
	return fds, nil
}

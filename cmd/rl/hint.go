package main

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/fsoverlay"
	"github.com/rl-containers/rl/rootless/failure"
	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/kube"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/userns"
)

// opJoinNamespaces is the op of rl-init's failure to setns(2) into a
// running container's namespaces (rl_join in cmd/rl-init/stage1.go), for rl
// exec and for a container joining its pod.
const opJoinNamespaces = "joining the container's namespaces"

// opBuildRootfs is the op of rl-init's failures to build the root
// filesystem (rootless/child).
const opBuildRootfs = "building the root filesystem"

// ownTreeAdvice is what to do with a root filesystem dir that is not
// the user's.
func ownTreeAdvice(dir string) string {
	return "make the tree yours (sudo chown -R $USER:$USER " + dir + ", or unpack it as yourself), or run rl as root; see docs/rootfs.md"
}

// hint returns advice for an error with a known cause, or "". It goes by
// the error's types, sentinels and errno (errors.Is, errors.As), which
// errors from rl-init (handshake.Error), rl-image (failure causes) and a
// detached container's monitor (monitor.Result) keep across the process
// boundary. docs/troubleshooting.md lists every one.
func hint(err error) string {
	var childErr *handshake.Error
	var helperErr *userns.HelperError
	var nsErr *launch.NamespaceError
	var foreign *fsoverlay.ForeignError
	switch {
	case errors.Is(err, userns.ErrNoHelper):
		return "install newuidmap and newgidmap: sudo apt-get install uidmap" + doctorCheck("ids.newuidmap")
	case errors.Is(err, userns.ErrMalformed):
		return "each line must be USER:START:COUNT with COUNT > 0, e.g. alice:100000:65536; fix or delete that line (as root)" + doctorCheck("ids.subuid")
	case errors.As(err, &helperErr):
		return "newuidmap/newgidmap refused the map: check that your /etc/subuid and /etc/subgid lines are the ones newuidmap reads, and that newuidmap is setuid root" + doctorCheck("ids.newuidmap")
	case errors.Is(err, launch.ErrNoInit), errors.Is(err, image.ErrNoHelper), errors.Is(err, kube.ErrNoHelper):
		return "rl, rl-init, rl-image and rl-kube must be installed in the same directory" + doctorCheck("helpers.rl-init")
	case errors.Is(err, failure.IDsUnmapped):
		return "the image has files owned by ids beyond your subordinate range; give yourself a larger one, e.g. " +
			userns.UsermodCommand(userns.SubUIDPath(), userns.SubGIDPath(), "$USER", 1000000) + " (ignore the podman advice above)" + doctorCheck("ids.subuid")
	case errors.Is(err, kube.ErrDecode):
		return "rl decodes the Kubernetes API's own types strictly, as kubectl does: kubectl explain pod.spec.containers lists a field's names and types"
	case errors.Is(err, network.ErrNoBackend):
		return "install it (sudo apt-get install slirp4netns; pasta is in passt), or run with --network none" + doctorCheck("network.slirp4netns")
	case errors.Is(err, network.ErrNoTun):
		return "user-mode networks need /dev/net/tun usable by you (mode 0666, as distributions ship it; sudo modprobe tun if it is missing), or run with --network none" + doctorCheck("network.tun")
	case errors.Is(err, unix.EADDRINUSE):
		return "another process holds that host port: publish on another one (-p OTHER:CTRPORT) or stop it"
	case errors.Is(err, failure.RegistryUnreachable):
		return "nothing answers at the registry's address: check the name and port, and that the registry runs"
	case errors.Is(err, failure.ManifestUnknown):
		return "the registry has no image of that name and tag: check both"
	case errors.Is(err, failure.DigestMismatch):
		return "the registry sent data that does not match its digest (a damaged registry or a proxy that alters data); nothing of it was kept"
	case errors.Is(err, failure.DiskFull):
		return "the image store's filesystem is full; nothing of this image was kept: free space, or put the store elsewhere with --root (or root = in rl.conf)"
	case errors.As(err, &foreign) && foreign.Lower != "":
		return ownTreeAdvice(foreign.Lower)
	case errors.As(err, &foreign): // from a detached container's monitor: the message names the tree
		return ownTreeAdvice("DIR")
	case errors.As(err, &childErr) && childErr.Cause == handshake.CauseOverlay:
		return "mounting overlayfs in a user namespace needs Linux >= 5.11 and a storage root on ext4, xfs or btrfs (tmpfs from Linux 6.6), or fuse-overlayfs installed for rl to fall back to; see docs/troubleshooting.md" + doctorCheck("storage.overlay")
	case errors.As(err, &childErr) && childErr.Op == opBuildRootfs && (childErr.Errno == int(unix.EACCES) || childErr.Errno == int(unix.EOVERFLOW)):
		return "the root filesystem may have files owned by an id outside your user namespace's map (a tree made by root): " + ownTreeAdvice("DIR")
	case errors.As(err, &childErr) && childErr.Op == opJoinNamespaces && childErr.Errno == int(unix.EPERM):
		// Not AppArmor: rl-init was refused a namespace that the
		// container's own processes made, below the one rl made.
		return "the container's init process (or the pod's infra process) has moved into namespaces of its own, as unshare(1) or a nested container runtime does, and rl may not join those; start the command from a process inside the container instead"
	case errors.As(err, &childErr) && childErr.Errno == int(unix.EPERM):
		return "the kernel denied a privileged step inside the user namespace; on Ubuntu 23.10+ AppArmor does this unless kernel.apparmor_restrict_unprivileged_userns=0 or a profile allows rl; see docs/troubleshooting.md" + doctorCheck("userns.apparmor")
	case errors.As(err, &nsErr) && errors.Is(err, unix.ENOSPC):
		return "the per-user namespace limit is reached: sudo sysctl user.max_user_namespaces=15000" + doctorCheck("userns.max")
	case errors.As(err, &nsErr) && (errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES)):
		return "unprivileged user namespaces are disabled here: sudo sysctl kernel.unprivileged_userns_clone=1 (Ubuntu: kernel.apparmor_restrict_unprivileged_userns=0)" + doctorCheck("userns.clone")
	}
	return ""
}

// doctorCheck names the rl doctor check that explains a hint's cause
// (its id, as docs/troubleshooting.md lists it).
func doctorCheck(id string) string { return "; rl doctor: " + id }

package cgroupsd

import (
	"fmt"
	"os"
	"path/filepath"
)

// PodCgroup is a pod's own cgroup, the parent of its containers', as the
// kubelet makes one per pod: a systemd slice (rl-pod-ID.slice, below
// rl.slice and rl-pod.slice, as systemd nests a slice by the dashes of
// its name) or a cgroupfs directory (rl-pod-ID below rl's own cgroup).
type PodCgroup struct {
	Manager string `json:"manager"`
	// Parent is what the containers' Options.Parent is: the slice, or
	// the cgroup path below /sys/fs/cgroup.
	Parent string `json:"parent"`
}

// MakePodCgroup makes the cgroup of the pod id with r's limits through
// manager (Systemd or Cgroupfs; "" picks as for a container). Where no
// manager can place one, it fails with ErrUnenforceable and why.
func MakePodCgroup(manager, id string, r Resources) (*PodCgroup, error) {
	manager, why := placement(manager)
	if why != "" {
		return nil, fmt.Errorf("%w (the pod's cgroup): %s", ErrUnenforceable, why)
	}
	name := "rl-pod-" + id[:12]
	switch manager {
	case Systemd:
		pc := &PodCgroup{Manager: Systemd, Parent: name + ".slice"}
		return pc, startSlice(pc.Parent, r)
	case Cgroupfs:
		own, err := OwnCgroup("self")
		if err != nil {
			return nil, err
		}
		if err := enableControllers(filepath.Join(root, own), r.Controllers()); err != nil {
			return nil, err
		}
		pc := &PodCgroup{Manager: Cgroupfs, Parent: filepath.Join(own, name)}
		dir := filepath.Join(root, pc.Parent)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the pod's cgroup %s: %w", pc.Parent, err)
		}
		files, err := r.Files()
		if err == nil {
			err = writeFiles(dir, files, Available(pc.Parent))
		}
		if err != nil {
			_ = os.Remove(dir)
			return nil, err
		}
		return pc, nil
	}
	return nil, fmt.Errorf("unknown cgroup manager %q", manager)
}

// Remove removes the pod's cgroup once its containers are gone; safe on
// nil.
func (pc *PodCgroup) Remove() error {
	switch {
	case pc == nil:
		return nil
	case pc.Manager == Systemd:
		return stopSlice(pc.Parent)
	}
	return Cleanup(Cgroupfs, pc.Parent)
}

package rootless

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// A pod is a group of containers that share the network, uts and IPC
// namespaces (one network, one host name, one System V IPC space), each
// with its own pid and mount namespaces, as in Kubernetes. An infra
// container, rl-init holding the namespaces (see spec.Spec.Infra), owns
// them and the pod's network and published ports; the pod's containers
// join its user namespace, so that they may mount /sys for its network.

// Pod is a pod's record, pod.json in Root/pods/ID.
type Pod struct {
	ID       string    `json:"Id"`
	Name     string    `json:"Name"`
	Created  time.Time `json:"Created"`
	Hostname string    `json:"Hostname"`
	InfraID  string    `json:"InfraId"`
}

// PodOptions are rl pod create's flags.
type PodOptions struct {
	Name     string
	Hostname string
	Net      NetOptions
}

// PodStatus is a pod as rl pod ps shows it.
type PodStatus struct {
	Pod
	// Status is Running while the infra container runs, else Exited or
	// Created.
	Status string `json:"Status"`
	// Containers are the pod's containers, the infra one included.
	Containers []State `json:"Containers"`
}

func (s Store) podDir(id string) string        { return filepath.Join(s.Root, "pods", id) }
func (s Store) podNames() string               { return filepath.Join(s.Root, "pods", "names") }
func (s Store) podNameLink(name string) string { return filepath.Join(s.podNames(), name) }

// CreatePod makes a pod and starts its infra container, which publishes
// the pod's ports; it returns the pod's id.
func CreatePod(s Store, o PodOptions) (string, error) {
	if o.Name != "" {
		if err := checkName(o.Name); err != nil {
			return "", fmt.Errorf("invalid pod name: %w", err)
		}
	}
	if err := checkHostname(o.Hostname); err != nil {
		return "", err
	}
	if err := o.Net.validate(); err != nil {
		return "", err
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	p := Pod{ID: id, Name: o.Name, Created: time.Now(), Hostname: o.Hostname}
	if p.Hostname == "" {
		p.Hostname = id[:12]
	}
	if err := os.MkdirAll(s.podNames(), 0o700); err != nil {
		return "", fmt.Errorf("creating the pod store: %w", err)
	}
	if p.Name == "" {
		p.Name = id[:12]
	}
	if err := os.Symlink(id, s.podNameLink(p.Name)); err != nil {
		if errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("the pod name %q is already in use: choose another name, or remove that pod", p.Name)
		}
		return "", fmt.Errorf("reserving the pod name: %w", err)
	}
	if err := os.MkdirAll(s.podDir(id), 0o700); err != nil {
		os.Remove(s.podNameLink(p.Name))
		return "", fmt.Errorf("creating the pod: %w", err)
	}
	infra, err := s.createInfra(p, o.Net)
	if err == nil {
		p.InfraID = infra.state.ID
		err = s.savePod(p)
	}
	if err == nil {
		err = infra.startDetached()
	}
	if err != nil {
		if infra != nil {
			_ = infra.remove()
		}
		s.removePodRecord(p)
		return "", err
	}
	return id, nil
}

// createInfra makes the pod's infra container: no root filesystem, the
// pod's network, ports and host name.
func (s Store) createInfra(p Pod, net NetOptions) (*container, error) {
	maps, warning, err := userns.ForCaller(userns.ModeDefault)
	if err != nil {
		return nil, err
	}
	if warning != "" {
		fmt.Fprintln(os.Stderr, "rl: warning:", warning)
	}
	c, unlock, err := s.create(p.Name + "-infra")
	if err != nil {
		return nil, err
	}
	defer unlock()
	c.state.Command, c.state.Pod, c.state.PodID = []string{"(infra)"}, p.Name, p.ID
	opts := RunOptions{Name: c.state.Name, Hostname: p.Hostname, Net: net}
	sp := &spec.Spec{
		ID: c.state.ID, Hostname: p.Hostname, Args: c.state.Command, Infra: true,
		Network: net.Mode.Name, NoSetgroups: maps.Single, TTYGroup: -1,
	}
	if err := c.saveLaunch(&launch{Options: opts, Image: &spec.Image{}, Spec: sp}); err != nil {
		_ = c.remove()
		return nil, err
	}
	return c, nil
}

func (s Store) savePod(p Pod) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.podDir(p.ID), "pod.json"), b)
}

func (s Store) removePodRecord(p Pod) {
	_ = os.RemoveAll(s.podDir(p.ID))
	if target, _ := os.Readlink(s.podNameLink(p.Name)); target == p.ID {
		_ = os.Remove(s.podNameLink(p.Name))
	}
}

// ErrNoPod is returned for a name or id that names no pod.
var ErrNoPod = errors.New("no such pod")

// LookupPod finds the pod ref: a name, an id or a unique id prefix.
func LookupPod(s Store, ref string) (Pod, error) {
	var p Pod
	id, err := resolveID(filepath.Join(s.Root, "pods"), s.podNames(), ref, ErrNoPod, "pods")
	if err != nil {
		return p, err
	}
	b, err := os.ReadFile(filepath.Join(s.podDir(id), "pod.json"))
	if err != nil {
		return p, fmt.Errorf("%w: %s", ErrNoPod, ref)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("reading pod %s: %w", ref, err)
	}
	return p, nil
}

// ListPods returns every pod with its containers, oldest first.
func ListPods(s Store) ([]PodStatus, error) {
	dirs, err := os.ReadDir(filepath.Join(s.Root, "pods"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	states, err := List(s)
	if err != nil {
		return nil, err
	}
	var out []PodStatus
	for _, d := range dirs {
		p, err := LookupPod(s, d.Name())
		if !validID(d.Name()) || err != nil {
			continue
		}
		out = append(out, podStatus(p, states))
	}
	return out, nil
}

// InspectPod returns the pod ref with its containers.
func InspectPod(s Store, ref string) (PodStatus, error) {
	p, err := LookupPod(s, ref)
	if err != nil {
		return PodStatus{}, err
	}
	states, err := List(s)
	return podStatus(p, states), err
}

func podStatus(p Pod, states []State) PodStatus {
	ps := PodStatus{Pod: p, Status: "Created"}
	for _, st := range states {
		if st.PodID != p.ID {
			continue
		}
		ps.Containers = append(ps.Containers, st)
		if st.ID == p.InfraID {
			switch {
			case st.active():
				ps.Status = "Running"
			case st.Status == StatusExited:
				ps.Status = "Exited"
			}
		}
	}
	return ps
}

// members are the pod's containers other than its infra one.
func (ps PodStatus) members() []State {
	var out []State
	for _, st := range ps.Containers {
		if st.ID != ps.InfraID {
			out = append(out, st)
		}
	}
	return out
}

// StartPod starts the pod's infra container and then its containers.
func StartPod(s Store, ref string) error {
	ps, err := InspectPod(s, ref)
	if err != nil {
		return err
	}
	if err := Start(s, ps.InfraID); err != nil {
		return err
	}
	var errs []error
	for _, st := range ps.members() {
		errs = append(errs, Start(s, st.ID))
	}
	return errors.Join(errs...)
}

// StopPod stops the pod's containers and then its infra container.
func StopPod(s Store, ref string, timeout time.Duration) error {
	ps, err := InspectPod(s, ref)
	if err != nil {
		return err
	}
	var errs []error
	for _, st := range ps.members() {
		errs = append(errs, Stop(s, st.ID, timeout))
	}
	errs = append(errs, Stop(s, ps.InfraID, timeout))
	return errors.Join(errs...)
}

// RemovePod removes the pod and its containers; running ones only with
// force.
func RemovePod(s Store, ref string, force bool) error {
	ps, err := InspectPod(s, ref)
	if err != nil {
		return err
	}
	if !force {
		for _, st := range ps.members() {
			if st.active() {
				return fmt.Errorf("pod %s has running containers (%s): stop the pod first (rl pod stop %s) or remove it with rl pod rm -f", ref, st.Name, ref)
			}
		}
	}
	var errs []error
	for _, st := range ps.members() {
		errs = append(errs, Remove(s, st.ID, true))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// The infra container goes last and with force: nothing else holds
	// the pod's namespaces now.
	if err := removeInfra(s, ps.InfraID); err != nil {
		return err
	}
	s.removePodRecord(ps.Pod)
	return nil
}

func removeInfra(s Store, id string) error {
	c, err := s.load(id)
	if errors.Is(err, ErrNoContainer) {
		return nil
	}
	if err != nil {
		return err
	}
	return c.removeContainer(true)
}

// joinPod checks the options of a container to run in the pod o.Pod and
// makes them the pod's: its id, host name and network. It returns the pod
// (the zero one without --pod).
func (o *RunOptions) joinPod(s Store) (Pod, error) {
	if o.Pod == "" {
		return Pod{}, nil
	}
	p, err := LookupPod(s, o.Pod)
	if err != nil {
		return p, err
	}
	switch {
	case len(o.Net.Ports) > 0 || o.Net.PublishAll:
		return p, fmt.Errorf("a pod's containers publish no ports of their own: publish them on the pod (rl pod create -p)")
	case o.Hostname != "":
		return p, fmt.Errorf("a pod's containers have the pod's host name (%s): drop --hostname, or give it to rl pod create", p.Hostname)
	case o.Userns == userns.ModeKeepID:
		return p, fmt.Errorf("--userns keep-id cannot join a pod: its containers share the pod's user namespace")
	}
	infra, err := s.load(p.InfraID)
	if err != nil {
		return p, fmt.Errorf("pod %s has lost its infra container: remove it (rl pod rm -f %s)", o.Pod, o.Pod)
	}
	l, err := infra.readLaunch()
	if err != nil {
		return p, err
	}
	o.Pod, o.Hostname, o.Net.Mode = p.ID, p.Hostname, l.Options.Net.Mode
	return p, nil
}

// podInfra returns the host pid of the pod's infra process, starting the
// pod's infra container when it does not run.
func (s Store) podInfra(podID string) (int, error) {
	p, err := LookupPod(s, podID)
	if err != nil {
		return 0, err
	}
	infra, err := s.load(p.InfraID)
	if err == nil && !infra.state.active() {
		if err = infra.startDetached(); err == nil {
			err = infra.readState()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("starting pod %s: %w", p.Name, err)
	}
	return infra.state.Pid, nil
}

// isInfra is true for a pod's infra container.
func (st State) isInfra(s Store) bool {
	if st.PodID == "" {
		return false
	}
	p, err := LookupPod(s, st.PodID)
	return err == nil && p.InfraID == st.ID
}

// refuseInfra refuses to end a pod's infra container while containers of
// the pod run: they would lose their network (its helpers live with the
// infra container's monitor).
func (s Store) refuseInfra(st State) error {
	if !st.isInfra(s) {
		return nil
	}
	ps, err := InspectPod(s, st.PodID)
	if err != nil {
		return err
	}
	for _, m := range ps.members() {
		if m.active() {
			return fmt.Errorf("container %s is the infra container of pod %s, whose containers run: stop the pod (rl pod stop %s)", st.Name, ps.Name, ps.Name)
		}
	}
	return nil
}

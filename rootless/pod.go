package rootless

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/userns"
)

// A pod is a group of containers that share the network, uts and IPC
// namespaces (one network, one host name, one System V IPC space), each
// with its own pid and mount namespaces, as in Kubernetes. An infra
// container, rl-init holding the namespaces (see spec.Spec.Infra), owns
// them and the pod's network and published ports; the pod's containers
// join its user namespace, so that they may mount /sys for its network.

// PodOptions are what rl pod create was asked to do, its flags parsed
// and checked.
type PodOptions struct {
	Name     string
	Hostname string
	// InfraName names the infra container (default: NAME-infra).
	InfraName string
	Net       config.Net
	// Labels are the pod's labels (pod create --label).
	Labels map[string]string
	// QOSClass is a played pod's Kubernetes QoS class.
	QOSClass string
	// ExitPolicy is store.ExitPolicyStop to end the pod with its last
	// container, else "" or store.ExitPolicyContinue.
	ExitPolicy string
	// Cgroup asks for the pod's own cgroup, its containers' parent, with
	// limits (rl pod create --cpus, kube play's sums); nil for none.
	Cgroup *PodCgroupOptions
}

// PodCgroupOptions are the pod's limits and where they go.
type PodCgroupOptions struct {
	Resources cgroupsd.Resources
	// Manager and BestEffort are --cgroup-manager and --limits.
	Manager    string
	BestEffort bool
}

// PodStatus is a pod as rl pod ps shows it.
type PodStatus struct {
	store.Pod
	// Status is Running while the infra container runs, else Exited or
	// Created.
	Status string `json:"Status"`
	// Containers are the pod's containers, the infra one included.
	Containers []store.State `json:"Containers"`
}

// CreatePod makes a pod and starts its infra container, which publishes
// the pod's ports; it returns the pod's id.
func (e *Engine) CreatePod(ctx context.Context, o PodOptions) (string, error) {
	if !config.ValidName(o.Name) {
		return "", fmt.Errorf("invalid pod name %q: %s", o.Name, config.NameRule)
	}
	if err := o.Net.Validate(); err != nil {
		return "", err
	}
	id, err := store.NewID()
	if err != nil {
		return "", err
	}
	switch o.ExitPolicy {
	case "", store.ExitPolicyContinue:
		o.ExitPolicy = ""
	case store.ExitPolicyStop:
	default:
		return "", fmt.Errorf("invalid pod exit policy: %q: use continue or stop", o.ExitPolicy)
	}
	p := store.Pod{ID: id, Name: o.Name, Created: time.Now(), Hostname: o.Hostname, Labels: o.Labels, Network: o.Net.Mode.Name, QOSClass: o.QOSClass, ExitPolicy: o.ExitPolicy}
	if p.Hostname == "" {
		// podman's: the pod's name.
		p.Hostname = o.Name
	}
	if err := e.Store.CreatePod(&p); err != nil {
		return "", err
	}
	if p.Cgroup, err = makePodCgroup(id, o.Cgroup); err != nil {
		e.Store.RemovePod(p)
		return "", err
	}
	infra, err := e.createInfra(p, o.Net, cmp.Or(o.InfraName, p.Name+"-infra"))
	if err == nil {
		p.InfraID = infra.State.ID
		err = e.Store.SavePod(p)
	}
	if err == nil {
		err = monitor.StartDetached(infra)
	}
	if err != nil {
		if infra != nil {
			_ = infra.Remove()
		}
		_ = p.Cgroup.Remove()
		e.Store.RemovePod(p)
		return "", err
	}
	return id, nil
}

// makePodCgroup makes the pod's cgroup that o asks for; one that cannot
// be made fails the pod, or with best effort is a warning.
func makePodCgroup(id string, o *PodCgroupOptions) (*cgroupsd.PodCgroup, error) {
	if o == nil {
		return nil, nil
	}
	pc, err := cgroupsd.MakePodCgroup(o.Manager, id, o.Resources)
	switch {
	case err == nil:
		return pc, nil
	case o.BestEffort:
		slog.Warn("not enforced: " + err.Error())
		return nil, nil
	case errors.Is(err, cgroupsd.ErrUnenforceable):
		return nil, fmt.Errorf("%w (or run with --limits=best-effort)", err)
	}
	return nil, err
}

// createInfra makes the pod's infra container, name: no root filesystem,
// the pod's network, ports and host name.
func (e *Engine) createInfra(p store.Pod, net config.Net, name string) (*store.Container, error) {
	maps, warning, err := userns.ForCaller(userns.ModeDefault, nil)
	if err != nil {
		return nil, err
	}
	if warning != "" {
		fmt.Fprintln(os.Stderr, "rl: warning:", warning)
	}
	c, unlock, err := e.Store.Create(name, "")
	if err != nil {
		return nil, err
	}
	defer unlock()
	c.State.Command, c.State.Pod, c.State.PodID = []string{"(infra)"}, p.Name, p.ID
	opts := config.Container{Name: c.State.Name, Hostname: p.Hostname, Net: net}
	sp := &spec.Spec{
		ID: c.State.ID, Hostname: p.Hostname, Args: c.State.Command, Infra: true,
		Network: net.Mode.Name, NoSetgroups: maps.Single, TTYGroup: -1,
	}
	if err := c.SaveRecord(&config.Record{Options: opts, Image: &spec.Image{}, Spec: sp}); err != nil {
		_ = c.Remove()
		return nil, err
	}
	return c, nil
}

// Pods returns every pod with its containers.
func (e *Engine) Pods(ctx context.Context) ([]PodStatus, error) {
	pods, err := e.Store.Pods()
	if err != nil {
		return nil, err
	}
	states, err := e.Store.List()
	if err != nil {
		return nil, err
	}
	var out []PodStatus
	for _, p := range pods {
		out = append(out, podStatus(p, states))
	}
	return out, nil
}

// InspectPod returns the pod ref with its containers.
func (e *Engine) InspectPod(ctx context.Context, ref string) (PodStatus, error) {
	p, err := e.Store.LoadPod(ref)
	if err != nil {
		return PodStatus{}, err
	}
	states, err := e.Store.List()
	return podStatus(p, states), err
}

func podStatus(p store.Pod, states []store.State) PodStatus {
	ps := PodStatus{Pod: p, Status: "Created"}
	for _, st := range states {
		if st.PodID != p.ID {
			continue
		}
		ps.Containers = append(ps.Containers, st)
		if st.ID == p.InfraID {
			switch {
			case st.Active():
				ps.Status = "Running"
			case st.Status == store.StatusExited:
				ps.Status = "Exited"
			}
		}
	}
	return ps
}

// members are the pod's containers other than its infra one.
func (ps PodStatus) members() []store.State {
	var out []store.State
	for _, st := range ps.Containers {
		if st.ID != ps.InfraID {
			out = append(out, st)
		}
	}
	return out
}

// StartPod starts the pod's infra container and then its containers, a
// played pod's init containers first.
func (e *Engine) StartPod(ctx context.Context, ref string) error {
	ps, err := e.InspectPod(ctx, ref)
	if err != nil {
		return err
	}
	if err := e.Start(ctx, ps.InfraID); err != nil {
		return err
	}
	members := ps.members()
	e.Store.ReadLabels(members)
	var errs []error
	for _, init := range []bool{true, false} {
		for _, st := range members {
			switch {
			case isInit(st) != init:
			case init:
				// A played pod's init containers run to completion, in
				// order, before the others start.
				if err := e.runInit(ctx, st.ID, st.Name); err != nil {
					return err
				}
			default:
				errs = append(errs, e.Start(ctx, st.ID))
			}
		}
	}
	return errors.Join(errs...)
}

// StopPod stops the pod's containers and then its infra container.
func (e *Engine) StopPod(ctx context.Context, ref string, timeout time.Duration) error {
	ps, err := e.InspectPod(ctx, ref)
	if err != nil {
		return err
	}
	var errs []error
	for _, st := range ps.members() {
		errs = append(errs, e.Stop(ctx, st.ID, timeout))
	}
	errs = append(errs, e.Stop(ctx, ps.InfraID, timeout))
	return errors.Join(errs...)
}

// KillPod sends sig to the pod's running containers, the infra container
// last.
func (e *Engine) KillPod(ctx context.Context, ref string, sig unix.Signal) error {
	ps, err := e.InspectPod(ctx, ref)
	if err != nil {
		return err
	}
	var errs []error
	for _, st := range append(ps.members(), ps.infra()...) {
		if !st.Active() {
			continue
		}
		c, err := e.Store.Load(st.ID)
		if err == nil {
			err = signal(c, sig, -1)
		}
		if !errors.Is(err, store.ErrNoContainer) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// infra is the pod's infra container, if it has one.
func (ps PodStatus) infra() []store.State {
	for _, st := range ps.Containers {
		if st.ID == ps.InfraID {
			return []store.State{st}
		}
	}
	return nil
}

// RemovePod removes the pod and its containers; running ones only with
// force, which stops them as RemoveGrace does with grace.
func (e *Engine) RemovePod(ctx context.Context, ref string, force bool, grace time.Duration) error {
	ps, err := e.InspectPod(ctx, ref)
	if err != nil {
		return err
	}
	if !force {
		for _, st := range ps.members() {
			if st.Active() {
				return fmt.Errorf("pod %s has running containers (%s): stop the pod first (rl pod stop %s) or remove it with rl pod rm -f", ref, st.Name, ref)
			}
		}
	}
	var errs []error
	for _, st := range ps.members() {
		errs = append(errs, e.RemoveGrace(ctx, st.ID, true, grace))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// The infra container goes last and with force: nothing else holds
	// the pod's namespaces now.
	if err := e.removeInfra(ps.InfraID); err != nil {
		return err
	}
	if err := removePodDirs(e.Store, ps.ID); err != nil {
		return err
	}
	if err := ps.Cgroup.Remove(); err != nil {
		return fmt.Errorf("removing the cgroup of pod %s: %w", ps.Name, err)
	}
	e.Store.RemovePod(ps.Pod)
	return nil
}

func (e *Engine) removeInfra(id string) error {
	c, err := e.Store.Load(id)
	if errors.Is(err, store.ErrNoContainer) {
		return nil
	}
	if err != nil {
		return err
	}
	return removeContainer(c, true)
}

// joinPod makes the options of a container to run in the pod o.Pod the
// pod's: its id, host name and network (the front end has refused ports,
// a host name and keep-id of the container's own). It returns the pod (the
// zero one without a pod).
func (e *Engine) joinPod(o *config.Container) (store.Pod, error) {
	if o.Pod == "" {
		return store.Pod{}, nil
	}
	p, err := e.Store.LoadPod(o.Pod)
	if err != nil {
		return p, err
	}
	infra, err := e.Store.Load(p.InfraID)
	if err != nil {
		return p, fmt.Errorf("pod %s has lost its infra container: remove it (rl pod rm -f %s)", o.Pod, o.Pod)
	}
	r, err := infra.Record()
	if err != nil {
		return p, err
	}
	o.Pod, o.Hostname, o.Net.Mode = p.ID, p.Hostname, r.Options.Net.Mode
	// One IPC namespace, one /dev/shm: POSIX shared memory (shm_open)
	// of one container is the others' too, as in podman's pods.
	if !slices.ContainsFunc(o.Mounts, func(m spec.Mount) bool { return filepath.Clean(m.Destination) == "/dev/shm" }) {
		shm, err := e.Store.MakePodShm(p.ID)
		if err != nil {
			return p, err
		}
		o.Mounts = append(o.Mounts, spec.Mount{Kind: spec.Bind, Source: shm, Destination: "/dev/shm", Flags: unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC})
	}
	if p.Cgroup != nil && o.Cgroups.Parent == "" {
		// In the pod's cgroup, as the kubelet places a pod's containers,
		// limits of their own or not.
		o.Cgroups.Parent, o.Cgroups.Manager = p.Cgroup.Parent, p.Cgroup.Manager
	}
	return p, nil
}

// refuseInfra refuses to end a pod's infra container while containers of
// the pod run: they would lose their network (its helpers live with the
// infra container's monitor).
func (e *Engine) refuseInfra(st store.State) error {
	if !e.Store.IsInfra(st) {
		return nil
	}
	ps, err := e.InspectPod(context.Background(), st.PodID)
	if err != nil {
		return err
	}
	for _, m := range ps.members() {
		if m.Active() {
			return fmt.Errorf("container %s is the infra container of pod %s, whose containers run: stop the pod (rl pod stop %s)", st.Name, ps.Name, ps.Name)
		}
	}
	return nil
}

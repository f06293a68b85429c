package rootless

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/kube"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
)

// KubeGenerate gathers what rl kube generate writes of refs: each pod
// with its containers (the infra one left out), and each container
// outside a pod as a pod of its own, named NAME-pod as podman names it.
func (e *Engine) KubeGenerate(ctx context.Context, refs []string) (kube.Generate, error) {
	var g kube.Generate
	for _, ref := range refs {
		p, err := e.genPod(ctx, ref)
		if err != nil {
			return g, err
		}
		g.Pods = append(g.Pods, p)
	}
	return g, nil
}

func (e *Engine) genPod(ctx context.Context, ref string) (kube.GenPod, error) {
	if c, err := e.Store.Load(ref); err == nil && c.State.PodID == "" {
		gc, r, err := genContainer(c)
		if err != nil {
			return kube.GenPod{}, err
		}
		return kube.GenPod{Name: c.State.Name + "-pod", Hostname: r.Hostname, HostNetwork: r.Net.Mode.Name == network.Host,
			Ports: r.Net.Ports, Containers: []kube.GenContainer{gc}}, nil
	} else if err == nil {
		ref = c.State.PodID // a pod's container: the pod
	}
	ps, err := e.InspectPod(ctx, ref)
	if errors.Is(err, store.ErrNoPod) {
		return kube.GenPod{}, fmt.Errorf("no container or pod %s", ref)
	}
	if err != nil {
		return kube.GenPod{}, err
	}
	p := kube.GenPod{Name: ps.Name, Hostname: ps.Hostname, Labels: ps.Labels, DirRoot: kubeDir(e.Store, ps.ID)}
	if p.Dirs, err = readPodDirs(p.DirRoot); err != nil {
		return p, err
	}
	if infra, err := e.Store.Load(ps.InfraID); err == nil {
		if r, err := infra.Record(); err == nil {
			p.Ports, p.HostNetwork = r.Options.Net.Ports, r.Options.Net.Mode.Name == network.Host
		}
	}
	for _, st := range ps.members() {
		c, err := e.Store.Load(st.ID)
		if err != nil {
			return p, err
		}
		gc, _, err := genContainer(c)
		if err != nil {
			return p, err
		}
		// The pod's /dev/shm is rl's own, as podman's is its.
		gc.Options.Mounts = slices.DeleteFunc(slices.Clone(gc.Options.Mounts), func(m spec.Mount) bool { return m.Source == e.Store.PodShm(ps.ID) })
		p.Containers = append(p.Containers, gc)
	}
	return p, nil
}

// genContainer is a container as rl kube generate writes it, named as
// rl kube play named it in the YAML (else by its own name).
func genContainer(c *store.Container) (kube.GenContainer, *config.Container, error) {
	r, err := c.Record()
	if err != nil {
		return kube.GenContainer{}, nil, fmt.Errorf("reading container %s: %w", c.State.Name, err)
	}
	name := r.Options.Labels[kube.LabelContainer]
	if name == "" {
		name = c.State.Name
	}
	img := c.State.ImageName
	if img == "" {
		img = r.Options.Image
	}
	return kube.GenContainer{Name: name, Image: img, Init: r.Options.Labels[kube.LabelInit] == "true", Options: r.Options}, &r.Options, nil
}

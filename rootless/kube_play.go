package rootless

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/kube"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/rootless/volume"
)

// KubePlayOptions are rl kube play's own flags.
type KubePlayOptions struct {
	// Replace removes a pod of the same name first.
	Replace bool
	// Start starts the pods' containers (--start, the default); without
	// it they are created only.
	Start bool
}

// PlayedPod is a pod rl kube play made.
type PlayedPod struct {
	ID, Name string
	// Init and Containers are the ids of its init and app containers.
	Init, Containers []string
}

// PlayKube makes each planned pod: the pod with its network and ports,
// its directories (emptyDir, configMap, secret), its init containers,
// run to completion in order, then its containers. A failure removes
// the pod it was making, so that nothing of it is left.
func (e *Engine) PlayKube(ctx context.Context, plans []kube.PodPlan, o KubePlayOptions) ([]PlayedPod, error) {
	var out []PlayedPod
	for _, p := range plans {
		played, err := e.playPod(ctx, p, o)
		if err != nil {
			return out, fmt.Errorf("playing pod %s: %w", p.Name, err)
		}
		out = append(out, played)
	}
	return out, nil
}

func (e *Engine) playPod(ctx context.Context, p kube.PodPlan, o KubePlayOptions) (PlayedPod, error) {
	if o.Replace {
		if _, err := e.removeNamedPod(ctx, p.Name); err != nil {
			return PlayedPod{}, err
		}
	} else if old, err := e.Store.LoadPod(p.Name); err == nil && old.Name == p.Name {
		return PlayedPod{}, fmt.Errorf("a pod named %s exists: play with --replace, or take it down first (rl kube down FILE)", p.Name)
	}
	// podman's kube play: the pod ends with its last container.
	id, err := e.CreatePod(ctx, PodOptions{Name: p.Name, Hostname: p.Hostname, Net: p.Net, Labels: p.Labels, QOSClass: string(p.QoS), Cgroup: podCgroup(p), ExitPolicy: store.ExitPolicyStop})
	if err != nil {
		return PlayedPod{}, err
	}
	played := PlayedPod{ID: id, Name: p.Name}
	if err = e.fillPod(ctx, p, o, &played); err != nil {
		if rmErr := e.RemovePod(ctx, id, true, -1); rmErr != nil {
			err = errors.Join(err, rmErr)
		}
	}
	return played, err
}

// fillPod makes the pod's directories and containers, and starts them.
func (e *Engine) fillPod(ctx context.Context, p kube.PodPlan, o KubePlayOptions, played *PlayedPod) error {
	dirs := kubeDir(e.Store, played.ID)
	if err := writePodDirs(dirs, p.Dirs); err != nil {
		return err
	}
	if err := makeHostPaths(p.HostDirs, p.HostFiles); err != nil {
		return err
	}
	create := func(kind string, plans []kube.ContainerPlan) ([]string, error) {
		var ids []string
		for _, c := range plans {
			id, err := e.Create(ctx, podContainer(c, played.ID, dirs))
			if err != nil {
				return ids, fmt.Errorf("creating %s %s: %w", kind, c.Name, err)
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	var err error
	if played.Init, err = create("init container", p.Init); err != nil {
		return err
	}
	if played.Containers, err = create("container", p.Containers); err != nil || !o.Start {
		return err
	}
	for i, cid := range played.Init {
		if err := e.runInit(ctx, cid, p.Init[i].Options.Name); err != nil {
			return err
		}
	}
	for i, cid := range played.Containers {
		if err := e.Start(ctx, cid); err != nil {
			return fmt.Errorf("starting container %s: %w", p.Containers[i].Name, err)
		}
	}
	return nil
}

// runInit runs the init container id (named name) to completion; an
// exit other than 0 fails it.
func (e *Engine) runInit(ctx context.Context, id, name string) error {
	if err := e.Start(ctx, id); err != nil {
		return fmt.Errorf("starting init container %s: %w", name, err)
	}
	code, err := e.Wait(ctx, id)
	if err == nil && code != 0 {
		err = &launch.ExitError{Code: 125, Err: fmt.Errorf("init container %s exited with code %d: see rl logs %s", name, code, name)}
	}
	return err
}

// isInit is true for a played pod's init container (its labels read).
func isInit(st store.State) bool { return st.Labels[kube.LabelInit] == "true" }

// podContainer is a planned container's options in the pod id, with its
// mounts of the pod's directories under dirs.
func podContainer(c kube.ContainerPlan, pod, dirs string) config.Container {
	opts := c.Options
	opts.Pod = pod
	opts.Mounts = append([]spec.Mount(nil), opts.Mounts...)
	for _, m := range c.DirMounts {
		opts.Mounts = append(opts.Mounts, spec.Mount{Kind: spec.Bind, Source: filepath.Join(dirs, m.Dir, m.SubPath), Destination: m.Destination, ReadOnly: m.ReadOnly})
	}
	return opts
}

// podCgroup asks for the pod's own cgroup, as the kubelet makes one, when
// its containers get cgroups: with the pod's sums as its limits, and the
// first such container's --cgroup-manager and --limits.
func podCgroup(p kube.PodPlan) *PodCgroupOptions {
	for _, c := range append(append([]kube.ContainerPlan(nil), p.Init...), p.Containers...) {
		if c.Applied {
			cg := c.Options.Cgroups
			return &PodCgroupOptions{Resources: p.Cgroup, Manager: cg.Manager, BestEffort: cg.BestEffort}
		}
	}
	return nil
}

// kubeDir holds a played pod's directories, in the pod's own directory
// of the store.
func kubeDir(s store.Store, pod string) string { return filepath.Join(s.PodDir(pod), "kube") }

// podDirsRecord lists a played pod's directories (their files left
// out), for rl kube generate.
const podDirsRecord = "dirs.json"

// writePodDirs makes each directory with its files, and their record;
// emptyDir's is open to every user of the pod, as Kubernetes makes it
// (0777).
func writePodDirs(root string, dirs []kube.PodDir) error {
	if len(dirs) == 0 {
		return nil
	}
	var record []kube.PodDir
	for _, d := range dirs {
		record = append(record, kube.PodDir{Name: d.Name, Kind: d.Kind, Source: d.Source})
	}
	b, err := json.Marshal(record)
	if err == nil {
		err = os.MkdirAll(root, 0o755)
	}
	if err == nil {
		err = store.WriteAtomic(filepath.Join(root, podDirsRecord), b)
	}
	if err != nil {
		return fmt.Errorf("recording the pod's volumes: %w", err)
	}
	for _, d := range dirs {
		dir := filepath.Join(root, d.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating the pod's volume %s: %w", d.Name, err)
		}
		if d.Files == nil {
			if err := os.Chmod(dir, 0o777); err != nil {
				return fmt.Errorf("opening the pod's volume %s: %w", d.Name, err)
			}
		}
		for name, data := range d.Files {
			file := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				return fmt.Errorf("writing the pod's volume %s: %w", d.Name, err)
			}
			if err := os.WriteFile(file, data, 0o644); err != nil {
				return fmt.Errorf("writing the pod's volume %s: %w", d.Name, err)
			}
		}
	}
	return nil
}

// makeHostPaths makes the missing hostPaths of type DirectoryOrCreate
// (0755) and FileOrCreate (0644, empty), as the kubelet does.
func makeHostPaths(dirs, files []string) error {
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("making the hostPath %s: %w", d, err)
		}
	}
	for _, f := range files {
		err := os.MkdirAll(filepath.Dir(f), 0o755)
		if err == nil {
			var fd *os.File
			if fd, err = os.OpenFile(f, os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				err = fd.Close()
			}
		}
		if err != nil {
			return fmt.Errorf("making the hostPath %s: %w", f, err)
		}
	}
	return nil
}

// removePodDirs removes a played pod's directories, in the user
// namespace when its containers left files of subordinate ids there.
func removePodDirs(s store.Store, pod string) error {
	dir := kubeDir(s, pod)
	if os.RemoveAll(dir) == nil {
		return nil
	}
	return launch.RemoveAll(dir)
}

// removeNamedPod removes the pod called name, if there is one, with its
// containers (--replace, rl kube down); it returns the pod's id, "" when
// there was none.
func (e *Engine) removeNamedPod(ctx context.Context, name string) (string, error) {
	p, err := e.Store.LoadPod(name)
	if errors.Is(err, store.ErrNoPod) || (err == nil && p.Name != name) {
		return "", nil // none, or name is another pod's id prefix
	}
	if err == nil {
		err = e.RemovePod(ctx, p.ID, true, -1)
	}
	if err != nil {
		return "", fmt.Errorf("removing pod %s: %w", name, err)
	}
	return p.ID, nil
}

// DownKube removes the pods of plans that exist, and with volumes the
// named volumes of their claims (podman's kube down --force); it returns
// the ids of the pods and the names of the volumes.
func (e *Engine) DownKube(ctx context.Context, plans []kube.PodPlan, volumes bool) ([]string, []string, error) {
	var ids, removed []string
	var errs []error
	for _, p := range plans {
		id, err := e.removeNamedPod(ctx, p.Name)
		if id != "" {
			ids = append(ids, id)
		}
		errs = append(errs, err)
	}
	for _, p := range plans {
		for _, name := range p.Claims {
			if !volumes || slices.Contains(removed, name) {
				continue
			}
			err := e.VolumeRemove(ctx, name, false)
			if err == nil {
				removed = append(removed, name)
			}
			if !errors.Is(err, volume.ErrNoVolume) {
				errs = append(errs, err)
			}
		}
	}
	return ids, removed, errors.Join(errs...)
}

// readPodDirs is a played pod's directories with their files, for rl
// kube generate; none for a pod that kube play did not make.
func readPodDirs(root string) ([]kube.PodDir, error) {
	b, err := os.ReadFile(filepath.Join(root, podDirsRecord))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	var dirs []kube.PodDir
	if err == nil {
		err = json.Unmarshal(b, &dirs)
	}
	for i, d := range dirs {
		if err != nil || d.Kind == kube.DirEmpty {
			continue
		}
		dirs[i].Files = map[string][]byte{}
		dir := filepath.Join(root, d.Name)
		err = filepath.WalkDir(dir, func(path string, de os.DirEntry, err error) error {
			if err != nil || de.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			rel, _ := filepath.Rel(dir, path)
			dirs[i].Files[rel] = data
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("reading the pod's volumes: %w", err)
	}
	return dirs, nil
}

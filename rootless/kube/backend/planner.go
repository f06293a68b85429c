package backend

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/kube"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
)

// Plan is what rl makes for each workload of f.
func Plan(f *File, o kube.PlayOptions) ([]kube.PodPlan, error) {
	var out []kube.PodPlan
	for _, w := range f.Workloads {
		p, err := f.planPod(w, o)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// podName is the pod's name: podman names a controller's pod NAME-pod.
func podName(w Workload) string {
	if w.Kind == "Pod" {
		return w.Name
	}
	return w.Name + "-pod"
}

func (f *File) planPod(w Workload, o kube.PlayOptions) (kube.PodPlan, error) {
	p := kube.PodPlan{Doc: w.Doc, Kind: w.Kind, Workload: w.Name, Name: podName(w), Hostname: w.Spec.Hostname, Labels: w.Meta.Labels, Net: o.Net}
	if p.Hostname == "" {
		p.Hostname = p.Name
	}
	if w.Replicas > 1 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s %s asks for %d replicas: rl runs one pod locally", w.Kind, w.Name, w.Replicas))
	}
	if w.Spec.HostNetwork {
		p.Net.Mode = network.Mode{Name: network.Host}
	}
	vols := f.podVolumes(w, &p)
	var init, app []kube.Amounts
	for _, c := range w.Spec.InitContainers {
		init = append(init, amountsOf(c.Resources))
	}
	for _, c := range w.Spec.Containers {
		app = append(app, amountsOf(c.Resources))
	}
	p.QoS = kube.QOS(append(slices.Clone(init), app...))
	p.Amounts = kube.PodAmounts(init, app)
	p.Cgroup = o.Limits.Cgroup(p.Amounts)
	for i, list := range [][]v1.Container{w.Spec.InitContainers, w.Spec.Containers} {
		for _, c := range list {
			cp, err := f.planContainer(w, &p, c, vols, o, i == 0)
			if err != nil {
				return p, err
			}
			if i == 0 {
				p.Init = append(p.Init, cp)
			} else {
				p.Containers = append(p.Containers, cp)
			}
		}
	}
	p.Net.Ports = append(p.Net.Ports, hostPorts(w.Spec)...)
	p.Warnings = append(p.Warnings, f.servicePorts(w, &p)...)
	return p, nil
}

// hostPorts are the containers' ports with a hostPort, published on the
// pod (a containerPort alone only documents the port, as in Kubernetes).
func hostPorts(s v1.PodSpec) []network.PortMapping {
	var out []network.PortMapping
	for _, c := range s.Containers {
		for _, port := range c.Ports {
			if port.HostPort == 0 {
				continue
			}
			out = append(out, network.PortMapping{HostIP: port.HostIP, HostPort: int(port.HostPort), ContainerPort: int(port.ContainerPort), Proto: proto(port.Protocol)})
		}
	}
	return out
}

func proto(p v1.Protocol) string {
	if p == v1.ProtocolUDP {
		return "udp"
	}
	return "tcp"
}

// servicePorts publishes the nodePorts of the NodePort Services that
// select the pod, as podman does; every other Service is ignored, with a
// warning.
func (f *File) servicePorts(w Workload, p *kube.PodPlan) []string {
	var warnings []string
	for _, s := range f.Services {
		selects := len(s.Spec.Selector) > 0
		for k, v := range s.Spec.Selector {
			selects = selects && w.Meta.Labels[k] == v
		}
		if !selects || s.Spec.Type != v1.ServiceTypeNodePort {
			warnings = append(warnings, fmt.Sprintf("document %d: Service %s ignored: rl reads the nodePorts of NodePort Services that select a pod", s.Doc, s.Name))
			continue
		}
		for _, sp := range s.Spec.Ports {
			target := int(sp.TargetPort.IntVal)
			if target == 0 {
				target = int(sp.Port)
			}
			if sp.NodePort != 0 {
				p.Net.Ports = append(p.Net.Ports, network.PortMapping{HostPort: int(sp.NodePort), ContainerPort: target, Proto: proto(sp.Protocol)})
			}
		}
	}
	return warnings
}

// volume is a pod volume as a container mounts it: a spec.Mount, or a
// directory of the pod.
type volume struct {
	mount *spec.Mount
	dir   string
}

// podVolumes plans the pod's volumes: host paths, claims (named
// volumes), tmpfs for memory emptyDirs, pod directories for the others.
func (f *File) podVolumes(w Workload, p *kube.PodPlan) map[string]volume {
	vols := map[string]volume{}
	for _, v := range w.Spec.Volumes {
		s := v.VolumeSource
		switch {
		case s.HostPath != nil:
			vols[v.Name] = volume{mount: &spec.Mount{Kind: spec.Bind, Source: s.HostPath.Path}}
			switch t := s.HostPath.Type; {
			case t != nil && *t == v1.HostPathDirectoryOrCreate:
				p.HostDirs = append(p.HostDirs, s.HostPath.Path)
			case t != nil && *t == v1.HostPathFileOrCreate:
				p.HostFiles = append(p.HostFiles, s.HostPath.Path)
			}
		case s.PersistentVolumeClaim != nil:
			name := s.PersistentVolumeClaim.ClaimName
			vols[v.Name] = volume{mount: &spec.Mount{Kind: spec.Volume, Source: name, ReadOnly: s.PersistentVolumeClaim.ReadOnly}}
			p.Claims = append(p.Claims, name)
		case s.EmptyDir != nil && s.EmptyDir.Medium == v1.StorageMediumMemory:
			m := &spec.Mount{Kind: spec.Tmpfs, Data: "mode=1777"}
			if s.EmptyDir.SizeLimit != nil {
				m.Data += fmt.Sprintf(",size=%d", s.EmptyDir.SizeLimit.Value())
			}
			vols[v.Name] = volume{mount: m}
			p.Warnings = append(p.Warnings, fmt.Sprintf("volume %s: each container gets a tmpfs of its own (rootless, one tmpfs cannot span the containers' mount namespaces)", v.Name))
		case s.EmptyDir != nil:
			p.Dirs = append(p.Dirs, kube.PodDir{Name: v.Name, Kind: kube.DirEmpty})
			vols[v.Name] = volume{dir: v.Name}
		case s.ConfigMap != nil:
			cm := f.ConfigMaps[s.ConfigMap.Name]
			data := map[string][]byte{}
			if cm != nil {
				for k, v := range cm.Data {
					data[k] = []byte(v)
				}
				maps.Copy(data, cm.BinaryData)
			}
			p.Dirs = append(p.Dirs, kube.PodDir{Name: v.Name, Kind: kube.DirConfigMap, Source: s.ConfigMap.Name, Files: projectKeys(data, s.ConfigMap.Items)})
			vols[v.Name] = volume{dir: v.Name}
		case s.Secret != nil:
			data := map[string][]byte{}
			if sec := f.Secrets[s.Secret.SecretName]; sec != nil {
				data = secretData(sec)
			}
			p.Dirs = append(p.Dirs, kube.PodDir{Name: v.Name, Kind: kube.DirSecret, Source: s.Secret.SecretName, Files: projectKeys(data, s.Secret.Items)})
			vols[v.Name] = volume{dir: v.Name}
		}
	}
	return vols
}

// projectKeys lays a ConfigMap's or Secret's keys out as files: every key
// under its own name, or only the items, each at its path.
func projectKeys(data map[string][]byte, items []v1.KeyToPath) map[string][]byte {
	if len(items) == 0 {
		return data
	}
	out := map[string][]byte{}
	for _, it := range items {
		if v, ok := data[it.Key]; ok {
			out[path.Clean(it.Path)] = v
		}
	}
	return out
}

// planContainer maps one container to rl's options.
func (f *File) planContainer(w Workload, p *kube.PodPlan, c v1.Container, vols map[string]volume, o kube.PlayOptions, init bool) (kube.ContainerPlan, error) {
	cp := kube.ContainerPlan{Name: c.Name, Options: o.Base, Amounts: amountsOf(c.Resources)}
	opts := &cp.Options
	opts.Name, opts.Image, opts.Hostname = p.Name+"-"+c.Name, c.Image, ""
	opts.Pull = pullPolicy(c.ImagePullPolicy, opts.Pull)
	env, err := f.containerEnv(w, c)
	if err != nil {
		return cp, err
	}
	lookup := envLookup(env)
	if c.Command != nil {
		opts.Entrypoint, opts.EntrypointSet = expandAll(c.Command, lookup), true
	}
	opts.Command = expandAll(c.Args, lookup)
	opts.Workdir = c.WorkingDir
	opts.TTY, opts.Interactive = c.TTY, c.Stdin
	opts.Env = config.MergeEnv(opts.Env, env)
	opts.User = runAs(w.Spec.SecurityContext, c.SecurityContext)
	if sc := c.SecurityContext; sc != nil {
		opts.Security = security(opts.Security, sc)
		opts.ReadOnly = opts.ReadOnly || isTrue(sc.ReadOnlyRootFilesystem)
	}
	podmanAnnotations(opts, w.Meta.Annotations, c.Name)
	if !init {
		opts.Restart = restartPolicy(w.Spec.RestartPolicy)
		opts.Health = health(c, &p.Warnings)
	}
	opts.Labels = maps.Clone(opts.Labels)
	if opts.Labels == nil {
		opts.Labels = map[string]string{}
	}
	opts.Labels[kube.LabelContainer] = c.Name
	if init {
		opts.Labels[kube.LabelInit] = "true"
	}
	mounts(&cp, c, vols)
	cp.Cgroup = o.Limits.Cgroup(cp.Amounts)
	cp.Applied = o.Cgroups || !cp.Amounts.None()
	if cp.Applied {
		opts.Resources = cp.Cgroup
	}
	if cp.Amounts.EphemeralStorage {
		p.Warnings = append(p.Warnings, fmt.Sprintf("container %s: ephemeral-storage is not enforced: rootless rl has no per-container disk quota", c.Name))
	}
	cp.OOMScoreAdj = kube.OOMScoreAdj(p.QoS, cp.Amounts.MemRequest, o.Limits.MachineMemory)
	adj := cp.OOMScoreAdj
	opts.Process.OOMScoreAdj = &adj
	return cp, nil
}

// containerEnv is envFrom's variables, then env's over them, each
// value's $(VAR) expanded with the variables before it, as the kubelet
// expands them.
func (f *File) containerEnv(w Workload, c v1.Container) ([]string, error) {
	var env []string
	for _, e := range c.EnvFrom {
		kv, err := f.envFrom(e)
		if err != nil && !errors.Is(err, errOptional) {
			return nil, err
		}
		env = config.MergeEnv(env, kv)
	}
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil {
			var err error
			v, err = f.envValue(w, e.ValueFrom)
			if errors.Is(err, errOptional) {
				continue
			}
			if err != nil {
				return nil, err
			}
		}
		env = config.MergeEnv(env, []string{e.Name + "=" + expand(v, envLookup(env))})
	}
	return env, nil
}

// podmanAnnotations applies the annotations of podman's generate kube
// that rl has options for: io.podman.annotations.init/CTR (--init) and
// io.podman.annotations.privileged/CTR (--privileged), "TRUE" or "FALSE".
func podmanAnnotations(opts *config.Container, annotations map[string]string, name string) {
	on := func(key string) bool {
		return strings.EqualFold(annotations["io.podman.annotations."+key+"/"+name], "true")
	}
	opts.Init = opts.Init || on("init")
	opts.Security.Privileged = opts.Security.Privileged || on("privileged")
}

// pullPolicy is imagePullPolicy as rl's --pull.
func pullPolicy(p v1.PullPolicy, def string) string {
	switch p {
	case v1.PullAlways:
		return image.PullAlways
	case v1.PullNever:
		return image.PullNever
	case v1.PullIfNotPresent:
		return image.PullMissing
	}
	return def
}

// runAs is --user from runAsUser and runAsGroup, the container's over the
// pod's.
func runAs(pod *v1.PodSecurityContext, c *v1.SecurityContext) string {
	var uid, gid *int64
	if pod != nil {
		uid, gid = pod.RunAsUser, pod.RunAsGroup
	}
	if c != nil && c.RunAsUser != nil {
		uid = c.RunAsUser
	}
	if c != nil && c.RunAsGroup != nil {
		gid = c.RunAsGroup
	}
	switch {
	case uid == nil:
		return ""
	case gid == nil:
		return fmt.Sprint(*uid)
	}
	return fmt.Sprintf("%d:%d", *uid, *gid)
}

// security maps a container's securityContext onto base.
func security(base config.Security, sc *v1.SecurityContext) config.Security {
	s := base
	s.Privileged = s.Privileged || isTrue(sc.Privileged)
	if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
		s.NoNewPrivileges = true
	}
	if caps := sc.Capabilities; caps != nil {
		for _, c := range caps.Add {
			s.CapAdd = append(s.CapAdd, capName(c))
		}
		for _, c := range caps.Drop {
			s.CapDrop = append(s.CapDrop, capName(c))
		}
	}
	return s
}

// capName is a Kubernetes capability (NET_ADMIN) as rl names it.
func capName(c v1.Capability) string {
	n := strings.ToUpper(string(c))
	if n == "ALL" || strings.HasPrefix(n, "CAP_") {
		return n
	}
	return "CAP_" + n
}

// restartPolicy is the pod's restartPolicy as rl's --restart (Always by
// default, as in Kubernetes).
func restartPolicy(p v1.RestartPolicy) config.Restart {
	switch p {
	case v1.RestartPolicyNever:
		return config.Restart{Name: "no"}
	case v1.RestartPolicyOnFailure:
		return config.Restart{Name: "on-failure"}
	}
	return config.Restart{Name: "always"}
}

// health is the container's exec liveness probe (else its readiness
// probe) as rl's health check; other probes are warned about.
func health(c v1.Container, warnings *[]string) config.Health {
	var h config.Health
	for _, pr := range []struct {
		name  string
		probe *v1.Probe
	}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}} {
		switch {
		case pr.probe == nil:
		case pr.probe.Exec == nil:
			*warnings = append(*warnings, fmt.Sprintf("container %s: %s ignored: rl runs exec probes only", c.Name, pr.name))
		case h.Cmd == "":
			h = config.Health{Cmd: shellCommand(pr.probe.Exec.Command), Interval: seconds(pr.probe.PeriodSeconds, 10), Retries: int(pr.probe.FailureThreshold)}
			if h.Retries == 0 {
				h.Retries = 3
			}
		}
	}
	return h
}

func seconds(s, def int32) time.Duration {
	if s == 0 {
		s = def
	}
	return time.Duration(s) * time.Second
}

// shellCommand is an exec probe's argv as the command rl's health checks
// run with /bin/sh -c: a probe of /bin/sh -c CMD (as rl kube generate
// writes one) is CMD.
func shellCommand(argv []string) string {
	if len(argv) == 3 && (argv[0] == "/bin/sh" || argv[0] == "sh") && argv[1] == "-c" {
		return argv[2]
	}
	return shellJoin(argv)
}

// shellJoin quotes argv for /bin/sh -c, as rl's health checks run.
func shellJoin(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// mounts maps the container's volumeMounts (check refused a subPath of
// a volume that is no directory here).
func mounts(cp *kube.ContainerPlan, c v1.Container, vols map[string]volume) {
	for _, vm := range c.VolumeMounts {
		v := vols[vm.Name]
		if v.mount == nil {
			cp.DirMounts = append(cp.DirMounts, kube.DirMount{Dir: v.dir, SubPath: vm.SubPath, Destination: vm.MountPath, ReadOnly: vm.ReadOnly})
			continue
		}
		m := *v.mount
		m.Destination, m.ReadOnly = vm.MountPath, m.ReadOnly || vm.ReadOnly
		if vm.SubPath != "" {
			m.Source = path.Join(m.Source, vm.SubPath)
		}
		cp.Options.Mounts = append(cp.Options.Mounts, m)
	}
}

package backend

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/kube"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
)

// generatedHeader opens rl kube generate's output, as podman's does.
const generatedHeader = "# Save the output of this file and use kubectl apply -f to import it into Kubernetes.\n#\n# Created with rl kube generate\n"

// GenerateYAML writes a Pod (or a Deployment) document for each of g's
// pods.
func GenerateYAML(g kube.Generate) (string, error) {
	var b strings.Builder
	b.WriteString(generatedHeader)
	for _, p := range g.Pods {
		pod := podOf(p)
		objs := sources(p.Dirs)
		if g.Deployment {
			objs = append(objs, deploymentOf(pod))
		} else {
			objs = append(objs, pod)
		}
		for _, obj := range objs {
			y, err := yaml.Marshal(obj)
			if err != nil {
				return "", fmt.Errorf("writing the YAML of pod %s: %w", p.Name, err)
			}
			b.WriteString("---\n")
			b.Write(y)
		}
	}
	return b.String(), nil
}

// sources are the ConfigMaps and Secrets of a played pod's directories,
// one per name, their keys the files (a file in a subdirectory under its
// path with the slashes as dots: itemsOf maps it back).
func sources(dirs []kube.PodDir) []any {
	var out []any
	seen := map[string]bool{}
	for _, d := range dirs {
		if d.Kind == kube.DirEmpty || seen[d.Kind+"/"+d.Source] {
			continue
		}
		seen[d.Kind+"/"+d.Source] = true
		meta := metav1.ObjectMeta{Name: d.Source}
		if d.Kind == kube.DirSecret {
			s := &v1.Secret{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: meta, Data: map[string][]byte{}}
			for path, data := range d.Files {
				s.Data[keyOf(path)] = data
			}
			out = append(out, s)
			continue
		}
		cm := &v1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: meta, Data: map[string]string{}}
		for path, data := range d.Files {
			cm.Data[keyOf(path)] = string(data)
		}
		out = append(out, cm)
	}
	return out
}

// keyOf is a file's key in its ConfigMap or Secret.
func keyOf(path string) string { return strings.ReplaceAll(path, "/", ".") }

// itemsOf lays the keys out at their paths again when a file sat in a
// subdirectory.
func itemsOf(files map[string][]byte) []v1.KeyToPath {
	var items []v1.KeyToPath
	nested := false
	for _, path := range slices.Sorted(maps.Keys(files)) {
		items = append(items, v1.KeyToPath{Key: keyOf(path), Path: path})
		nested = nested || strings.Contains(path, "/")
	}
	if !nested {
		return nil
	}
	return items
}

// podOf is the Pod of p.
func podOf(p kube.GenPod) *v1.Pod {
	pod := &v1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: dnsName(p.Name), Labels: p.Labels},
		Spec:       v1.PodSpec{HostNetwork: p.HostNetwork},
	}
	if p.Hostname != "" && p.Hostname != p.Name && !p.HostNetwork {
		pod.Spec.Hostname = p.Hostname
	}
	vols := &volumes{root: p.DirRoot, dirs: p.Dirs}
	for _, c := range p.Containers {
		ctr := containerOf(c, vols)
		if c.Options.Init {
			// podman's annotation for --init, which plays back.
			if pod.Annotations == nil {
				pod.Annotations = map[string]string{}
			}
			pod.Annotations["io.podman.annotations.init/"+ctr.Name] = "TRUE"
		}
		if c.Init {
			pod.Spec.InitContainers = append(pod.Spec.InitContainers, ctr)
			continue
		}
		if len(pod.Spec.Containers) == 0 {
			ctr.Ports = portsOf(p.Ports)
			pod.Spec.RestartPolicy = restartOf(c.Options.Restart)
		}
		pod.Spec.Containers = append(pod.Spec.Containers, ctr)
	}
	pod.Spec.Volumes = vols.list
	return pod
}

// deploymentOf is a Deployment of one replica of pod, as podman's
// --type deployment writes it: NAME-deployment, selecting app: NAME.
func deploymentOf(pod *v1.Pod) *appsv1.Deployment {
	one := int32(1)
	labels := map[string]string{"app": pod.Name}
	for k, v := range pod.Labels {
		labels[k] = v
	}
	pod.Spec.RestartPolicy = v1.RestartPolicyAlways // the only one a Deployment takes
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name + "-deployment", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": pod.Name}},
			Template: v1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: pod.Annotations}, Spec: pod.Spec},
		},
	}
}

// notDNS are the characters a Kubernetes name may not have.
var notDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// dnsName is name as a DNS-1123 label, as a container's name must be.
func dnsName(name string) string {
	n := strings.Trim(notDNS.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(n) > 63 {
		n = strings.TrimRight(n[:63], "-")
	}
	if n == "" {
		return "ctr"
	}
	return n
}

// containerOf is one container's spec.
func containerOf(c kube.GenContainer, vols *volumes) v1.Container {
	o := c.Options
	ctr := v1.Container{Name: dnsName(c.Name), Image: c.Image, Args: o.Command, WorkingDir: o.Workdir, TTY: o.TTY, Stdin: o.Interactive}
	if o.EntrypointSet {
		ctr.Command = o.Entrypoint
	}
	for _, kv := range o.Env {
		k, v, _ := strings.Cut(kv, "=")
		ctr.Env = append(ctr.Env, v1.EnvVar{Name: k, Value: v})
	}
	ctr.Resources = resourcesOf(o.Resources)
	ctr.SecurityContext = securityOf(o)
	if o.Health.Cmd != "" {
		ctr.LivenessProbe = &v1.Probe{
			ProbeHandler:     v1.ProbeHandler{Exec: &v1.ExecAction{Command: []string{"/bin/sh", "-c", o.Health.Cmd}}},
			PeriodSeconds:    int32(o.Health.Interval.Seconds()),
			FailureThreshold: int32(o.Health.Retries),
		}
	}
	for _, m := range o.Mounts {
		name, sub := vols.add(m)
		ctr.VolumeMounts = append(ctr.VolumeMounts, v1.VolumeMount{Name: name, MountPath: m.Destination, ReadOnly: m.ReadOnly, SubPath: sub})
	}
	return ctr
}

// volumes are the pod's volumes, one per distinct source; root and dirs
// are a played pod's directories (GenPod.DirRoot, Dirs).
type volumes struct {
	list []v1.Volume
	root string
	dirs []kube.PodDir
}

// add returns the name of the volume of m (and the subPath in it),
// adding the volume first.
func (vs *volumes) add(m spec.Mount) (string, string) {
	if rel, ok := strings.CutPrefix(m.Source, vs.root+"/"); ok && vs.root != "" {
		if name, sub, ok := vs.podDir(rel); ok {
			return name, sub
		}
	}
	var src v1.VolumeSource
	switch {
	case m.Kind == spec.Tmpfs:
		src.EmptyDir = &v1.EmptyDirVolumeSource{Medium: v1.StorageMediumMemory}
	case m.Kind == spec.Volume && m.Source == "":
		src.EmptyDir = &v1.EmptyDirVolumeSource{}
	case m.Kind == spec.Volume || m.Volume != "":
		name := m.Source
		if m.Volume != "" {
			name = m.Volume
		}
		src.PersistentVolumeClaim = &v1.PersistentVolumeClaimVolumeSource{ClaimName: name}
	default:
		src.HostPath = &v1.HostPathVolumeSource{Path: m.Source}
	}
	for _, v := range vs.list {
		if src.EmptyDir == nil && equalSource(v.VolumeSource, src) {
			return v.Name, ""
		}
	}
	name := "vol-" + strconv.Itoa(len(vs.list))
	vs.list = append(vs.list, v1.Volume{Name: name, VolumeSource: src})
	return name, ""
}

// podDir is the volume of the pod's directory that rel (below DirRoot)
// is in, added once, and the subPath in it.
func (vs *volumes) podDir(rel string) (string, string, bool) {
	name, sub, _ := strings.Cut(rel, "/")
	i := slices.IndexFunc(vs.dirs, func(d kube.PodDir) bool { return d.Name == name })
	if i < 0 {
		return "", "", false
	}
	if slices.ContainsFunc(vs.list, func(v v1.Volume) bool { return v.Name == name }) {
		return name, sub, true
	}
	d := vs.dirs[i]
	var src v1.VolumeSource
	switch d.Kind {
	case kube.DirConfigMap:
		src.ConfigMap = &v1.ConfigMapVolumeSource{LocalObjectReference: v1.LocalObjectReference{Name: d.Source}, Items: itemsOf(d.Files)}
	case kube.DirSecret:
		src.Secret = &v1.SecretVolumeSource{SecretName: d.Source, Items: itemsOf(d.Files)}
	default:
		src.EmptyDir = &v1.EmptyDirVolumeSource{}
	}
	vs.list = append(vs.list, v1.Volume{Name: name, VolumeSource: src})
	return name, sub, true
}

func equalSource(a, b v1.VolumeSource) bool {
	switch {
	case a.HostPath != nil && b.HostPath != nil:
		return a.HostPath.Path == b.HostPath.Path
	case a.PersistentVolumeClaim != nil && b.PersistentVolumeClaim != nil:
		return a.PersistentVolumeClaim.ClaimName == b.PersistentVolumeClaim.ClaimName
	}
	return false
}

// portsOf are the pod's published ports as hostPorts.
func portsOf(ports []network.PortMapping) []v1.ContainerPort {
	var out []v1.ContainerPort
	for _, p := range ports {
		cp := v1.ContainerPort{ContainerPort: int32(p.ContainerPort), HostPort: int32(p.HostPort), HostIP: p.HostIP}
		if p.Proto == "udp" {
			cp.Protocol = v1.ProtocolUDP
		}
		out = append(out, cp)
	}
	return out
}

// restartOf is rl's restart policy as the pod's.
func restartOf(r config.Restart) v1.RestartPolicy {
	switch r.Name {
	case "always", "unless-stopped":
		return v1.RestartPolicyAlways
	case "on-failure":
		return v1.RestartPolicyOnFailure
	}
	return v1.RestartPolicyNever
}

// resourcesOf is the inverse of the kubelet's mapping: cpu.max's quota
// as limits.cpu, memory.max as limits.memory, cpu.weight as the smallest
// requests.cpu that gives that weight back (none for the minimum weight,
// or when the limit gives it: the request then defaults to the limit).
func resourcesOf(r cgroupsd.Resources) v1.ResourceRequirements {
	var out v1.ResourceRequirements
	set := func(l *v1.ResourceList, name v1.ResourceName, q *resource.Quantity) {
		if *l == nil {
			*l = v1.ResourceList{}
		}
		(*l)[name] = *q
	}
	limitMilli := int64(0)
	if r.CPUQuota > 0 {
		period := int64(r.CPUPeriod)
		if period == 0 {
			period = cgroupsd.DefaultCPUPeriod
		}
		limitMilli = r.CPUQuota * 1000 / period
		set(&out.Limits, v1.ResourceCPU, resource.NewMilliQuantity(limitMilli, resource.DecimalSI))
	}
	if r.MemoryMax > 0 {
		set(&out.Limits, v1.ResourceMemory, resource.NewQuantity(r.MemoryMax, resource.BinarySI))
	}
	if r.MemoryMin > 0 {
		set(&out.Requests, v1.ResourceMemory, resource.NewQuantity(r.MemoryMin, resource.BinarySI))
	}
	fromLimit := limitMilli > 0 && weightOf(limitMilli) == r.CPUWeight
	if m := milliForWeight(r.CPUWeight); m > 0 && !fromLimit {
		set(&out.Requests, v1.ResourceCPU, resource.NewMilliQuantity(m, resource.DecimalSI))
	}
	return out
}

// weightOf is the cpu.weight of a request of milli millicores.
func weightOf(milli int64) uint64 { return cgroupsd.SharesToWeight(kube.MilliCPUToShares(milli)) }

// milliForWeight is the smallest cpu request whose weight is w, 0 for
// none (no weight, or the minimum one).
func milliForWeight(w uint64) int64 {
	if w <= 1 {
		return 0
	}
	shares := int64((w-1)*262142+9998)/9999 + 2 // the smallest shares of weight w
	for m := max(shares*1000/1024-1, 1); m <= 262144*1000/1024; m++ {
		if weightOf(m) == w {
			return m
		}
	}
	return 0
}

// securityOf is the container's securityContext: --user as runAsUser and
// runAsGroup when numeric, capabilities, privileged, read-only root,
// no_new_privs.
func securityOf(o config.Container) *v1.SecurityContext {
	sc := &v1.SecurityContext{}
	empty := true
	uid, gid, _ := strings.Cut(o.User, ":")
	if n, err := strconv.ParseInt(uid, 10, 64); err == nil {
		sc.RunAsUser, empty = &n, false
	}
	if n, err := strconv.ParseInt(gid, 10, 64); err == nil {
		sc.RunAsGroup, empty = &n, false
	}
	s := o.Security
	if len(s.CapAdd) > 0 || len(s.CapDrop) > 0 {
		sc.Capabilities, empty = &v1.Capabilities{Add: capsOf(s.CapAdd), Drop: capsOf(s.CapDrop)}, false
	}
	t, f := true, false
	if s.Privileged {
		sc.Privileged, empty = &t, false
	}
	if o.ReadOnly {
		sc.ReadOnlyRootFilesystem, empty = &t, false
	}
	if s.NoNewPrivileges {
		sc.AllowPrivilegeEscalation, empty = &f, false
	}
	if empty {
		return nil
	}
	return sc
}

func capsOf(names []string) []v1.Capability {
	var out []v1.Capability
	for _, n := range names {
		out = append(out, v1.Capability(strings.TrimPrefix(n, "CAP_")))
	}
	return out
}

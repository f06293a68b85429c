package backend

import (
	"errors"
	"fmt"
	"path"
	"slices"

	v1 "k8s.io/api/core/v1"

	"github.com/rl-containers/rl/rootless/kube"
)

// check refuses what the API types accept but rl cannot play, or what the
// API server would refuse: a missing name or image, a request above its
// limit, a volume of a kind rl cannot mount, a reference to a ConfigMap,
// Secret or volume the file does not have.
func (f *File) check() error {
	for _, w := range f.Workloads {
		if err := f.checkWorkload(w); err != nil {
			return err
		}
	}
	return nil
}

// SpecPath is the path of the pod spec in a workload's document.
func (w Workload) SpecPath() string {
	if w.Kind == "Pod" {
		return "spec"
	}
	return "spec.template.spec"
}

func (f *File) checkWorkload(w Workload) error {
	fail := func(path, format string, args ...any) error {
		return &kube.DecodeError{Doc: w.Doc, Kind: w.Kind, Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	if w.Name == "" {
		return fail("metadata.name", "required")
	}
	sp := w.SpecPath()
	if len(w.Spec.Containers) == 0 {
		return fail(sp+".containers", "required: at least one container")
	}
	volumes := map[string]v1.VolumeSource{}
	for i, v := range w.Spec.Volumes {
		p := fmt.Sprintf("%s.volumes[%d]", sp, i)
		if err := f.checkVolume(v); err != "" {
			return fail(p, "%s", err)
		}
		volumes[v.Name] = v.VolumeSource
	}
	names := map[string]bool{}
	for _, list := range []struct {
		field string
		ctrs  []v1.Container
	}{{"initContainers", w.Spec.InitContainers}, {"containers", w.Spec.Containers}} {
		for i, c := range list.ctrs {
			p := fmt.Sprintf("%s.%s[%d]", sp, list.field, i)
			switch {
			case c.Name == "":
				return fail(p+".name", "required")
			case names[c.Name]:
				return fail(p+".name", "%q is the name of another container of the pod", c.Name)
			case c.Image == "":
				return fail(p+".image", "required")
			}
			names[c.Name] = true
			if path, reason := checkResources(c.Resources); path != "" {
				return fail(p+".resources."+path, "%s", reason)
			}
			if path, reason := f.checkContainer(w, c, volumes); path != "" {
				return fail(p+"."+path, "%s", reason)
			}
		}
	}
	return nil
}

// checkVolume says why rl cannot mount v ("" when it can).
func (f *File) checkVolume(v v1.Volume) string {
	s := v.VolumeSource
	switch {
	case v.Name == "":
		return "name: required"
	case s.HostPath != nil:
		if !path.IsAbs(s.HostPath.Path) {
			return fmt.Sprintf("hostPath.path: %q is not an absolute path", s.HostPath.Path)
		}
	case s.EmptyDir != nil, s.PersistentVolumeClaim != nil:
	case s.ConfigMap != nil:
		if _, ok := f.ConfigMaps[s.ConfigMap.Name]; !ok && !isTrue(s.ConfigMap.Optional) {
			return fmt.Sprintf("configMap.name: no ConfigMap %q in the file (put it in the same file, or set optional: true)", s.ConfigMap.Name)
		}
	case s.Secret != nil:
		if _, ok := f.Secrets[s.Secret.SecretName]; !ok && !isTrue(s.Secret.Optional) {
			return fmt.Sprintf("secret.secretName: no Secret %q in the file (put it in the same file, or set optional: true)", s.Secret.SecretName)
		}
	default:
		return "rl mounts hostPath, emptyDir, configMap, secret and persistentVolumeClaim volumes only"
	}
	return ""
}

// checkContainer checks a container's references: volume mounts, env
// sources.
func (f *File) checkContainer(w Workload, c v1.Container, volumes map[string]v1.VolumeSource) (string, string) {
	for i, m := range c.VolumeMounts {
		src, ok := volumes[m.Name]
		if !ok {
			return fmt.Sprintf("volumeMounts[%d].name", i), fmt.Sprintf("no volume %q in the pod's volumes", m.Name)
		}
		if m.SubPath != "" && (src.PersistentVolumeClaim != nil || (src.EmptyDir != nil && src.EmptyDir.Medium == v1.StorageMediumMemory)) {
			return fmt.Sprintf("volumeMounts[%d].subPath", i), "rl mounts a subPath of hostPath, emptyDir (on disk), configMap and secret volumes only"
		}
		if m.MountPath == "" {
			return fmt.Sprintf("volumeMounts[%d].mountPath", i), "required"
		}
	}
	for i, e := range c.Env {
		if e.ValueFrom == nil {
			continue
		}
		if _, err := f.envValue(w, e.ValueFrom); err != nil && !errors.Is(err, errOptional) {
			return fmt.Sprintf("env[%d].valueFrom", i), err.Error()
		}
	}
	for i, e := range c.EnvFrom {
		if _, err := f.envFrom(e); err != nil && !errors.Is(err, errOptional) {
			return fmt.Sprintf("envFrom[%d]", i), err.Error()
		}
	}
	for i, p := range c.Ports {
		if p.Protocol != "" && p.Protocol != v1.ProtocolTCP && p.Protocol != v1.ProtocolUDP {
			return fmt.Sprintf("ports[%d].protocol", i), fmt.Sprintf("rl publishes TCP and UDP ports, not %s", p.Protocol)
		}
	}
	return "", ""
}

// computeResources are the resources a request and a limit are checked
// for; others (hugepages, devices) are refused.
var computeResources = []v1.ResourceName{v1.ResourceCPU, v1.ResourceMemory, v1.ResourceEphemeralStorage}

// checkResources refuses a negative quantity, a resource rl does not know
// and a request above its limit, as the API server's validation does.
func checkResources(r v1.ResourceRequirements) (string, string) {
	for _, l := range []struct {
		field string
		list  v1.ResourceList
	}{{"requests", r.Requests}, {"limits", r.Limits}} {
		for name, q := range l.list {
			switch {
			case !slices.Contains(computeResources, name):
				return l.field + "." + string(name), "rl knows cpu, memory and ephemeral-storage only"
			case q.Sign() < 0:
				return l.field + "." + string(name), "must not be negative"
			}
		}
	}
	for name, req := range r.Requests {
		if lim, ok := r.Limits[name]; ok && req.Cmp(lim) > 0 {
			return "requests." + string(name), fmt.Sprintf("%s is more than the limit %s (a request must be at most its limit)", req.String(), lim.String())
		}
	}
	return "", ""
}

func isTrue(b *bool) bool { return b != nil && *b }

package backend

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/rl-containers/rl/rootless/kube"
)

// File is a decoded YAML file: the workloads to play, and the objects
// they refer to.
type File struct {
	Workloads  []Workload
	ConfigMaps map[string]*v1.ConfigMap
	Secrets    map[string]*v1.Secret
	Claims     []*v1.PersistentVolumeClaim
	Services   []Service
}

// Workload is a pod to play: a Pod, or the pod template of a Deployment,
// ReplicaSet, DaemonSet or Job.
type Workload struct {
	// Doc is the document's index in the file, from 1.
	Doc  int
	Kind string
	// Name is the workload's own name (metadata.name).
	Name string
	Meta metav1.ObjectMeta
	Spec v1.PodSpec
	// Replicas is what a Deployment or ReplicaSet asked for (1 locally).
	Replicas int32
}

// Service is a Service document, kept for its ports.
type Service struct {
	Doc int
	*v1.Service
}

// kinds are the documents rl reads, by apiVersion and kind.
var kinds = map[string]func() any{
	"v1/Pod":                   func() any { return &v1.Pod{} },
	"v1/ConfigMap":             func() any { return &v1.ConfigMap{} },
	"v1/Secret":                func() any { return &v1.Secret{} },
	"v1/PersistentVolumeClaim": func() any { return &v1.PersistentVolumeClaim{} },
	"v1/Service":               func() any { return &v1.Service{} },
	"apps/v1/Deployment":       func() any { return &appsv1.Deployment{} },
	"apps/v1/ReplicaSet":       func() any { return &appsv1.ReplicaSet{} },
	"apps/v1/DaemonSet":        func() any { return &appsv1.DaemonSet{} },
	"batch/v1/Job":             func() any { return &batchv1.Job{} },
}

// Decode reads a file of YAML documents separated by "---" lines, each
// decoded strictly into its API type: an unknown or repeated field, a
// value of the wrong type, a kind rl does not play or a pod spec rl
// cannot run is a *kube.DecodeError.
func Decode(data []byte) (*File, error) {
	f := &File{ConfigMaps: map[string]*v1.ConfigMap{}, Secrets: map[string]*v1.Secret{}}
	docs := splitDocuments(data)
	for i, doc := range docs {
		if err := f.add(i+1, doc); err != nil {
			return nil, err
		}
	}
	if len(f.Workloads) == 0 {
		return nil, &kube.DecodeError{Doc: len(docs), Reason: "no Pod, Deployment, ReplicaSet, DaemonSet or Job to play"}
	}
	return f, f.check()
}

// documentSeparator is a "---" line, as YAML ends a document.
var documentSeparator = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

// splitDocuments splits a YAML stream at its "---" lines; documents of
// nothing but blanks and comments are left out, but counted.
func splitDocuments(data []byte) [][]byte {
	parts := documentSeparator.Split(string(data), -1)
	out := make([][]byte, 0, len(parts))
	for _, p := range parts {
		out = append(out, []byte(p))
	}
	if len(out) > 1 && isBlank(out[0]) {
		out = out[1:] // a leading "---"
	}
	return out
}

// isBlank is true for a document of blank lines and comments only.
func isBlank(doc []byte) bool {
	for _, l := range bytes.Split(doc, []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 && l[0] != '#' {
			return false
		}
	}
	return true
}

// add decodes one document and files it.
func (f *File) add(n int, doc []byte) error {
	if isBlank(doc) {
		return nil
	}
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return &kube.DecodeError{Doc: n, Reason: oneLine(strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))}
	}
	var tm metav1.TypeMeta
	if err := kjson.UnmarshalCaseSensitivePreserveInts(j, &tm); err != nil {
		return &kube.DecodeError{Doc: n, Reason: "not a Kubernetes object (a map with apiVersion and kind): " + oneLine(err.Error())}
	}
	if tm.Kind == "" || tm.APIVersion == "" {
		return &kube.DecodeError{Doc: n, Kind: tm.Kind, Path: missing(tm), Reason: "required"}
	}
	newObj, ok := kinds[tm.APIVersion+"/"+tm.Kind]
	if !ok {
		return &kube.DecodeError{Doc: n, Kind: tm.Kind, Path: "kind", Reason: fmt.Sprintf("rl cannot play %s %s: it plays v1 Pod, ConfigMap, Secret, PersistentVolumeClaim and Service, apps/v1 Deployment, ReplicaSet and DaemonSet, and batch/v1 Job", tm.APIVersion, tm.Kind)}
	}
	obj := newObj()
	if err := strictUnmarshal(j, obj); err != nil {
		err.Doc, err.Kind = n, tm.Kind
		return err
	}
	f.file(n, obj)
	return nil
}

// missing names the absent one of apiVersion and kind.
func missing(tm metav1.TypeMeta) string {
	if tm.APIVersion == "" {
		return "apiVersion"
	}
	return "kind"
}

// strictUnmarshal decodes j into obj as kubectl does (sigs.k8s.io/json):
// case-sensitive, an unknown or duplicate field an error with its path.
func strictUnmarshal(j []byte, obj any) *kube.DecodeError {
	strict, err := kjson.UnmarshalStrict(j, obj)
	var m []string
	if err != nil {
		m = typeError.FindStringSubmatch(err.Error())
	}
	switch {
	case m != nil:
		return &kube.DecodeError{Path: m[2], Reason: fmt.Sprintf("want %s, got %s", typeName(m[3]), m[1])}
	case err != nil:
		return badQuantity(j, err)
	case len(strict) > 0:
		path, reason := strictPath(strict[0].Error())
		return &kube.DecodeError{Path: path, Reason: reason}
	}
	return nil
}

// typeError is encoding/json's message for a value of the wrong type
// (sigs.k8s.io/json does not export its error type), whose field is the
// path without list indices.
var typeError = regexp.MustCompile(`cannot unmarshal (\w+) into Go struct field \w+\.(\S+) of type (\S+)`)

// typeName is a Go type as the API's documentation says it.
func typeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a map"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "an integer"
	case t == "string":
		return "a string"
	case t == "bool":
		return "a boolean"
	}
	return "an object (" + strings.TrimPrefix(t, "v1.") + ")"
}

// strictPath splits sigs.k8s.io/json's `unknown field "a.b[0].c"` and
// `duplicate field "x"` into the path and the reason.
func strictPath(msg string) (string, string) {
	for _, kind := range []string{"unknown field", "duplicate field"} {
		if rest, ok := strings.CutPrefix(msg, kind+" "); ok {
			return strings.Trim(rest, `"`), kind
		}
	}
	return "", msg
}

// badQuantity finds the resource quantity that failed to parse (the
// quantity's own error names no field).
func badQuantity(j []byte, err error) *kube.DecodeError {
	var tree any
	if kjson.UnmarshalCaseSensitivePreserveInts(j, &tree) == nil {
		if path, v, ok := findBadQuantity(tree, ""); ok {
			return &kube.DecodeError{Path: path, Reason: fmt.Sprintf("%q is not a quantity (e.g. 500m, 2, 128Mi, 1G)", v)}
		}
	}
	return &kube.DecodeError{Reason: oneLine(err.Error())}
}

// quantityMaps are the keys whose values are maps of quantities.
var quantityMaps = map[string]bool{"limits": true, "requests": true, "capacity": true, "overhead": true}

// findBadQuantity walks a decoded JSON tree for the first value under a
// quantity map (or a sizeLimit) that is no quantity.
func findBadQuantity(node any, path string) (string, string, bool) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			p := join(path, k)
			if s, ok := v.(string); ok && k == "sizeLimit" && !isQuantity(s) {
				return p, s, true
			}
			if m, ok := v.(map[string]any); ok && quantityMaps[k] {
				for name, q := range m {
					if s := fmt.Sprint(q); !isQuantity(s) {
						return join(p, name), s, true
					}
				}
			}
			if p, s, ok := findBadQuantity(v, p); ok {
				return p, s, true
			}
		}
	case []any:
		for i, v := range n {
			if p, s, ok := findBadQuantity(v, fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, s, true
			}
		}
	}
	return "", "", false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func isQuantity(s string) bool {
	_, err := resource.ParseQuantity(s)
	return err == nil
}

// oneLine joins a multi-line library message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// file adds a decoded object to f.
func (f *File) file(n int, obj any) {
	switch o := obj.(type) {
	case *v1.Pod:
		f.Workloads = append(f.Workloads, Workload{Doc: n, Kind: "Pod", Name: o.Name, Meta: o.ObjectMeta, Spec: o.Spec, Replicas: 1})
	case *appsv1.Deployment:
		f.Workloads = append(f.Workloads, template(n, "Deployment", o.ObjectMeta, o.Spec.Template, o.Spec.Replicas))
	case *appsv1.ReplicaSet:
		f.Workloads = append(f.Workloads, template(n, "ReplicaSet", o.ObjectMeta, o.Spec.Template, o.Spec.Replicas))
	case *appsv1.DaemonSet:
		f.Workloads = append(f.Workloads, template(n, "DaemonSet", o.ObjectMeta, o.Spec.Template, nil))
	case *batchv1.Job:
		f.Workloads = append(f.Workloads, template(n, "Job", o.ObjectMeta, o.Spec.Template, nil))
	case *v1.ConfigMap:
		f.ConfigMaps[o.Name] = o
	case *v1.Secret:
		f.Secrets[o.Name] = o
	case *v1.PersistentVolumeClaim:
		f.Claims = append(f.Claims, o)
	case *v1.Service:
		f.Services = append(f.Services, Service{Doc: n, Service: o})
	}
}

// template is the workload of a controller's pod template.
func template(n int, kind string, meta metav1.ObjectMeta, t v1.PodTemplateSpec, replicas *int32) Workload {
	w := Workload{Doc: n, Kind: kind, Name: meta.Name, Meta: t.ObjectMeta, Spec: t.Spec, Replicas: 1}
	if replicas != nil {
		w.Replicas = *replicas
	}
	if w.Meta.Annotations == nil {
		w.Meta.Annotations = meta.Annotations
	}
	return w
}

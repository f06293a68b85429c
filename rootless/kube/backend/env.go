package backend

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	v1 "k8s.io/api/core/v1"
)

// envValue resolves an env entry's valueFrom: a key of a ConfigMap or a
// Secret of the file, or a field of the pod's own metadata.
func (f *File) envValue(w Workload, from *v1.EnvVarSource) (string, error) {
	switch {
	case from.ConfigMapKeyRef != nil:
		r := from.ConfigMapKeyRef
		cm, ok := f.ConfigMaps[r.Name]
		if !ok {
			return "", optional(r.Optional, fmt.Errorf("configMapKeyRef: no ConfigMap %q in the file", r.Name))
		}
		if v, ok := cm.Data[r.Key]; ok {
			return v, nil
		}
		if v, ok := cm.BinaryData[r.Key]; ok {
			return string(v), nil
		}
		return "", optional(r.Optional, fmt.Errorf("configMapKeyRef: ConfigMap %q has no key %q", r.Name, r.Key))
	case from.SecretKeyRef != nil:
		r := from.SecretKeyRef
		s, ok := f.Secrets[r.Name]
		if !ok {
			return "", optional(r.Optional, fmt.Errorf("secretKeyRef: no Secret %q in the file", r.Name))
		}
		if v, ok := secretData(s)[r.Key]; ok {
			return string(v), nil
		}
		return "", optional(r.Optional, fmt.Errorf("secretKeyRef: Secret %q has no key %q", r.Name, r.Key))
	case from.FieldRef != nil:
		switch from.FieldRef.FieldPath {
		case "metadata.name":
			return podName(w), nil
		case "metadata.namespace":
			return namespace(w), nil
		}
		return "", fmt.Errorf("fieldRef.fieldPath: rl knows metadata.name and metadata.namespace, not %q", from.FieldRef.FieldPath)
	}
	return "", errors.New("rl reads configMapKeyRef, secretKeyRef and fieldRef values only")
}

// errOptional marks a missing optional source: no value, no error.
var errOptional = errors.New("optional source missing")

// optional turns err into errOptional when the source is optional.
func optional(opt *bool, err error) error {
	if isTrue(opt) {
		return errOptional
	}
	return err
}

// envFrom is every key of an envFrom's ConfigMap or Secret as KEY=VALUE,
// sorted, with the prefix.
func (f *File) envFrom(e v1.EnvFromSource) ([]string, error) {
	var data map[string]string
	switch {
	case e.ConfigMapRef != nil:
		cm, ok := f.ConfigMaps[e.ConfigMapRef.Name]
		if !ok {
			return nil, optional(e.ConfigMapRef.Optional, fmt.Errorf("configMapRef: no ConfigMap %q in the file", e.ConfigMapRef.Name))
		}
		data = cm.Data
	case e.SecretRef != nil:
		s, ok := f.Secrets[e.SecretRef.Name]
		if !ok {
			return nil, optional(e.SecretRef.Optional, fmt.Errorf("secretRef: no Secret %q in the file", e.SecretRef.Name))
		}
		data = map[string]string{}
		for k, v := range secretData(s) {
			data[k] = string(v)
		}
	default:
		return nil, errors.New("configMapRef or secretRef: required")
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(data)) {
		out = append(out, e.Prefix+k+"="+data[k])
	}
	return out, nil
}

// secretData is a Secret's data with its stringData over it, as the API
// server merges them.
func secretData(s *v1.Secret) map[string][]byte {
	out := maps.Clone(s.Data)
	if out == nil {
		out = map[string][]byte{}
	}
	for k, v := range s.StringData {
		out[k] = []byte(v)
	}
	return out
}

// namespace is the workload's namespace, "default" without one.
func namespace(w Workload) string {
	if w.Meta.Namespace != "" {
		return w.Meta.Namespace
	}
	return "default"
}

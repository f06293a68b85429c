package backend

import (
	"errors"
	"strings"
	"testing"

	"github.com/rl-containers/rl/rootless/kube"
)

const goodPod = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: busybox
    resources:
      requests:
        cpu: 250m
      limits:
        memory: 64Mi
`

func TestDecode(t *testing.T) {
	y := "---\n" + goodPod + "---\n# only a comment\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n      - {name: c, image: busybox}\n"
	f, err := Decode([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Workloads) != 2 || f.Workloads[0].Name != "web" || f.Workloads[1].Doc != 3 || f.Workloads[1].Replicas != 3 {
		t.Fatalf("workloads %+v", f.Workloads)
	}
}

func TestDecodeErrors(t *testing.T) {
	pod := func(containers string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n" + containers
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown field", pod("  - name: a\n    image: b\n    resurces: {}\n"), `document 1 (Pod): spec.containers[0].resurces: unknown field`},
		{"wrong type", pod("  - name: a\n    image: b\n    ports:\n    - containerPort: eighty\n"), `document 1 (Pod): spec.containers.ports.containerPort: want an integer, got string`},
		{"bad quantity", pod("  - name: a\n    image: b\n    resources: {limits: {cpu: lots}}\n"), `document 1 (Pod): spec.containers[0].resources.limits.cpu: "lots" is not a quantity`},
		{"request over limit", pod("  - name: a\n    image: b\n    resources: {requests: {cpu: 2}, limits: {cpu: 1}}\n"), `spec.containers[0].resources.requests.cpu: 2 is more than the limit 1`},
		{"unsupported kind", "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n", `document 1 (Namespace): kind: rl cannot play v1 Namespace`},
		{"no kind", "apiVersion: v1\nmetadata: {name: x}\n", `document 1: kind: required`},
		{"duplicate key", "apiVersion: v1\nkind: Pod\nkind: Pod\n", `document 1: yaml: unmarshal errors: line 3: key "kind" already set in map`},
		{"no name", "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: b}]\n", `document 1 (Pod): metadata.name: required`},
		{"no image", pod("  - name: a\n"), `spec.containers[0].image: required`},
		{"same name", pod("  - {name: a, image: b}\n  - {name: a, image: b}\n"), `spec.containers[1].name: "a" is the name of another container`},
		{"missing configmap", pod("  - name: a\n    image: b\n    volumeMounts: [{name: v, mountPath: /v}]\n  volumes:\n  - name: v\n    configMap: {name: nope}\n"), `spec.volumes[0]: configMap.name: no ConfigMap "nope" in the file`},
		{"unsupported volume", pod("  - {name: a, image: b}\n  volumes:\n  - name: v\n    nfs: {server: s, path: /}\n"), `spec.volumes[0]: rl mounts hostPath, emptyDir`},
		{"unknown volume", pod("  - name: a\n    image: b\n    volumeMounts: [{name: v, mountPath: /v}]\n"), `spec.containers[0].volumeMounts[0].name: no volume "v"`},
		{"second document", goodPod + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec: {containers: [{name: a, image: b, bogus: 1}]}\n", `document 2 (Pod): spec.containers[0].bogus: unknown field`},
		{"deployment path", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {}\n  template:\n    spec:\n      containers: [{name: a}]\n", `document 1 (Deployment): spec.template.spec.containers[0].image: required`},
		{"subPath of a claim", pod("  - name: a\n    image: b\n    volumeMounts: [{name: v, mountPath: /v, subPath: x}]\n  volumes:\n  - name: v\n    persistentVolumeClaim: {claimName: c}\n"), `spec.containers[0].volumeMounts[0].subPath: rl mounts a subPath of`},
		{"nothing to play", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", `no Pod, Deployment`},
		{"not a map", "- a\n- b\n", `document 1: not a Kubernetes object`},
	} {
		_, err := Decode([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			continue
		}
		if !errors.Is(err, kube.ErrDecode) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %q is not one kube.ErrDecode line", tc.name, err)
		}
	}
}

// FuzzDecode checks that no input panics the decoder, and that every
// refusal is one line that names a document.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(goodPod))
	f.Add([]byte(goodPod + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"))
	f.Add([]byte("apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, image: b, resources: {limits: {cpu: x}}}]}\n"))
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Decode(data)
		if err != nil {
			if !errors.Is(err, kube.ErrDecode) || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "document ") {
				t.Fatalf("refusal %q: want one line starting with the document", err)
			}
			return
		}
		if _, err := Plan(file, kube.PlayOptions{}); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("plan error %q spans lines", err)
		}
	})
}

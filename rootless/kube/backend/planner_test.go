package backend

import (
	"slices"
	"strings"
	"testing"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/kube"
	"github.com/rl-containers/rl/rootless/spec"
)

const planPod = `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: "1", b: "2"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {io.podman.annotations.init/app: "TRUE", io.podman.annotations.privileged/app: "FALSE"}
    spec:
      restartPolicy: Always
      securityContext: {runAsUser: 1000}
      initContainers:
      - {name: setup, image: busybox, command: [sh, -c, "true"]}
      containers:
      - name: app
        image: busybox
        imagePullPolicy: Never
        command: [httpd]
        args: [-f, "$(A)"]
        workingDir: /srv
        env: [{name: A, value: x}, {name: a, valueFrom: {configMapKeyRef: {name: cfg, key: a}}}, {name: B, value: "$(C_b)-$(A)"}]
        envFrom: [{configMapRef: {name: cfg}, prefix: C_}]
        ports: [{containerPort: 80, hostPort: 8080}, {containerPort: 53, protocol: UDP}]
        securityContext:
          runAsGroup: 10
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {add: [NET_ADMIN], drop: [ALL]}
        livenessProbe: {exec: {command: [cat, /tmp/x]}, periodSeconds: 7}
        volumeMounts:
        - {name: data, mountPath: /data}
        - {name: cfg, mountPath: /etc/cfg, readOnly: true}
        - {name: host, mountPath: /host, subPath: sub}
        - {name: scratch, mountPath: /scratch}
        - {name: mem, mountPath: /mem}
      volumes:
      - {name: data, persistentVolumeClaim: {claimName: pvc}}
      - {name: cfg, configMap: {name: cfg, items: [{key: b, path: dir/b.txt}]}}
      - {name: host, hostPath: {path: /srv/host, type: DirectoryOrCreate}}
      - {name: scratch, emptyDir: {}}
      - {name: mem, emptyDir: {medium: Memory, sizeLimit: 1Mi}}
`

func TestPlan(t *testing.T) {
	f, err := Decode([]byte(planPod))
	if err != nil {
		t.Fatal(err)
	}
	plans, err := Plan(f, kube.PlayOptions{Base: config.Container{Pull: "missing"}})
	if err != nil {
		t.Fatal(err)
	}
	p := plans[0]
	if p.Name != "web-pod" || p.Hostname != "web-pod" || p.Doc != 2 || p.Kind != "Deployment" || p.QoS != kube.BestEffort {
		t.Fatalf("pod %+v", p)
	}
	if len(p.Warnings) == 0 || !strings.Contains(p.Warnings[0], "2 replicas") {
		t.Errorf("warnings %q", p.Warnings)
	}
	if len(p.Net.Ports) != 1 || p.Net.Ports[0].HostPort != 8080 || p.Net.Ports[0].ContainerPort != 80 {
		t.Errorf("ports %+v: only the hostPort is published", p.Net.Ports)
	}
	if len(p.Init) != 1 || p.Init[0].Options.Name != "web-pod-setup" || p.Init[0].Options.Labels[kube.LabelInit] != "true" || p.Init[0].Options.Restart.Name != "" {
		t.Errorf("init %+v", p.Init)
	}
	o := p.Containers[0].Options
	switch {
	case o.Name != "web-pod-app" || o.Image != "busybox" || o.Pull != "never":
		t.Errorf("name, image, pull: %s %s %s", o.Name, o.Image, o.Pull)
	case !o.EntrypointSet || !slices.Equal(o.Entrypoint, []string{"httpd"}) || !slices.Equal(o.Command, []string{"-f", "x"}) || o.Workdir != "/srv":
		t.Errorf("command: %q %q %s", o.Entrypoint, o.Command, o.Workdir)
	case !slices.Equal(o.Env, []string{"C_a=1", "C_b=2", "A=x", "a=1", "B=2-x"}):
		t.Errorf("env %q", o.Env)
	case o.User != "1000:10" || !o.ReadOnly || !o.Security.NoNewPrivileges:
		t.Errorf("user %q read-only %v nnp %v", o.User, o.ReadOnly, o.Security.NoNewPrivileges)
	case !slices.Equal(o.Security.CapAdd, []string{"CAP_NET_ADMIN"}) || !slices.Equal(o.Security.CapDrop, []string{"ALL"}):
		t.Errorf("caps %q %q", o.Security.CapAdd, o.Security.CapDrop)
	case o.Restart.Name != "always" || o.Health.Cmd != "'cat' '/tmp/x'" || o.Health.Interval.Seconds() != 7 || o.Health.Retries != 3:
		t.Errorf("restart %+v health %+v", o.Restart, o.Health)
	case !o.Init || o.Security.Privileged:
		t.Errorf("podman's annotations: init %v privileged %v", o.Init, o.Security.Privileged)
	case o.Labels[kube.LabelContainer] != "app":
		t.Errorf("labels %v", o.Labels)
	}
	want := []spec.Mount{
		{Kind: spec.Volume, Source: "pvc", Destination: "/data"},
		{Kind: spec.Bind, Source: "/srv/host/sub", Destination: "/host"},
		{Kind: spec.Tmpfs, Data: "mode=1777,size=1048576", Destination: "/mem"},
	}
	if !slices.Equal(o.Mounts, want) {
		t.Errorf("mounts %+v, want %+v", o.Mounts, want)
	}
	dm := p.Containers[0].DirMounts
	if len(dm) != 2 || dm[0] != (kube.DirMount{Dir: "cfg", Destination: "/etc/cfg", ReadOnly: true}) || dm[1].Dir != "scratch" {
		t.Errorf("pod dir mounts %+v", dm)
	}
	if len(p.Dirs) != 2 || string(p.Dirs[0].Files["dir/b.txt"]) != "2" || len(p.Dirs[0].Files) != 1 || p.Dirs[1].Files != nil {
		t.Errorf("pod dirs %+v", p.Dirs)
	}
	if !slices.Equal(p.HostDirs, []string{"/srv/host"}) || p.HostFiles != nil {
		t.Errorf("host paths to make %q %q", p.HostDirs, p.HostFiles)
	}
	if !slices.Equal(p.Claims, []string{"pvc"}) {
		t.Errorf("claims %q", p.Claims)
	}
	// No manager and no resources: no cgroup work; with a manager, the
	// kubelet's minimum weight.
	if p.Containers[0].Applied || !p.Containers[0].Options.Resources.Empty() {
		t.Errorf("a container that asks for nothing got cgroup work without a manager")
	}
	plans, _ = Plan(f, kube.PlayOptions{Cgroups: true})
	if c := plans[0].Containers[0]; !c.Applied || c.Options.Resources.CPUWeight != 1 {
		t.Errorf("with a manager: %+v", c.Options.Resources)
	}
}

func TestServicePorts(t *testing.T) {
	y := `apiVersion: v1
kind: Pod
metadata: {name: p, labels: {app: p}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Service
metadata: {name: np}
spec: {type: NodePort, selector: {app: p}, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}
---
apiVersion: v1
kind: Service
metadata: {name: other}
spec: {selector: {app: q}, ports: [{port: 80}]}
`
	f, err := Decode([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	plans, err := Plan(f, kube.PlayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := plans[0]
	if len(p.Net.Ports) != 1 || p.Net.Ports[0].HostPort != 30080 || p.Net.Ports[0].ContainerPort != 8080 {
		t.Errorf("ports %+v", p.Net.Ports)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "document 3: Service other ignored") {
		t.Errorf("warnings %q", p.Warnings)
	}
}

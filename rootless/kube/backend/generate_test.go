package backend

import (
	"strings"
	"testing"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/kube"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
)

// TestWeightInverse checks that every cpu.weight a request can give
// comes back from the request generate writes for it.
func TestWeightInverse(t *testing.T) {
	for w := uint64(2); w <= 10000; w++ {
		m := milliForWeight(w)
		if m == 0 {
			continue // a weight no request gives
		}
		if got := weightOf(m); got != w {
			t.Fatalf("weight %d: request %dm gives %d", w, m, got)
		}
	}
	if milliForWeight(1) != 0 || milliForWeight(0) != 0 {
		t.Error("the minimum weight (or none) must write no request")
	}
}

// TestGenerateRoundTrip generates a pod and plays it back: the YAML
// decodes strictly, and the plan's cgroup values are the container's.
func TestGenerateRoundTrip(t *testing.T) {
	r := cgroupsd.Resources{CPUQuota: 50000, CPUPeriod: 100000, MemoryMax: 64 << 20, CPUWeight: cgroupsd.SharesToWeight(512)}
	g := kube.Generate{Pods: []kube.GenPod{{
		Name: "web", Hostname: "web", Labels: map[string]string{"app": "web"},
		Ports: []network.PortMapping{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}},
		Containers: []kube.GenContainer{
			{Name: "init", Image: "busybox", Init: true, Options: config.Container{Command: []string{"true"}}},
			{Name: "Web_1", Image: "busybox", Options: config.Container{
				Entrypoint: []string{"httpd"}, EntrypointSet: true, Command: []string{"-f"}, Env: []string{"A=b"}, User: "1000:1000",
				Resources: r, Restart: config.Restart{Name: "on-failure"}, ReadOnly: true, Init: true,
				Security: config.Security{CapDrop: []string{"CAP_NET_RAW"}, NoNewPrivileges: true},
				Health:   config.Health{Cmd: "true", Interval: 5e9, Retries: 2},
				Mounts: []spec.Mount{
					{Kind: spec.Bind, Source: "/srv", Destination: "/srv"},
					{Kind: spec.Bind, Source: "/srv", Destination: "/again", ReadOnly: true},
					{Kind: spec.Volume, Source: "data", Destination: "/data"},
					{Kind: spec.Tmpfs, Destination: "/tmp"},
				},
			}},
		},
	}}}
	for _, deployment := range []bool{false, true} {
		g.Deployment = deployment
		y, err := GenerateYAML(g)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Decode([]byte(y))
		if err != nil {
			t.Fatalf("deployment %v: the generated YAML does not decode: %v\n%s", deployment, err, y)
		}
		plans, err := Plan(f, kube.PlayOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c := plans[0].Containers[0]
		got := c.Options.Resources
		if got.CPUQuota != r.CPUQuota || got.CPUPeriod != r.CPUPeriod || got.MemoryMax != r.MemoryMax || got.CPUWeight != r.CPUWeight {
			t.Errorf("deployment %v: cgroup %+v, want %+v\n%s", deployment, got, r, y)
		}
		o := c.Options
		if c.Name != "web-1" || o.User != "1000:1000" || !o.ReadOnly || !o.Init || !o.Security.NoNewPrivileges || o.Health.Cmd != "true" || len(o.Mounts) != 4 {
			t.Errorf("deployment %v: container %s %+v", deployment, c.Name, o)
		}
		if len(plans[0].Init) != 1 || len(plans[0].Net.Ports) != 1 {
			t.Errorf("deployment %v: init %d ports %+v", deployment, len(plans[0].Init), plans[0].Net.Ports)
		}
		if !deployment && o.Restart.Name != "on-failure" {
			t.Errorf("restart %+v", o.Restart)
		}
		if strings.Count(y, "hostPath:") != 1 {
			t.Errorf("one hostPath volume for two mounts of /srv:\n%s", y)
		}
	}
}

// TestGeneratePodDirs writes a played pod's emptyDir, configMap and
// secret volumes back as such, with their ConfigMap and Secret.
func TestGeneratePodDirs(t *testing.T) {
	g := kube.Generate{Pods: []kube.GenPod{{
		Name: "p", DirRoot: "/store/pods/x/kube",
		Dirs: []kube.PodDir{
			{Name: "cfg", Kind: kube.DirConfigMap, Source: "settings", Files: map[string][]byte{"a": []byte("1"), "d/b": []byte("2")}},
			{Name: "creds", Kind: kube.DirSecret, Source: "pw", Files: map[string][]byte{"password": []byte("s3cret")}},
			{Name: "work", Kind: kube.DirEmpty},
		},
		Containers: []kube.GenContainer{{Name: "c", Image: "busybox", Options: config.Container{Mounts: []spec.Mount{
			{Kind: spec.Bind, Source: "/store/pods/x/kube/cfg", Destination: "/etc/cfg", ReadOnly: true},
			{Kind: spec.Bind, Source: "/store/pods/x/kube/cfg/a", Destination: "/a"},
			{Kind: spec.Bind, Source: "/store/pods/x/kube/creds", Destination: "/creds"},
			{Kind: spec.Bind, Source: "/store/pods/x/kube/work", Destination: "/work"},
		}}}},
	}}}
	y, err := GenerateYAML(g)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode([]byte(y))
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	plans, err := Plan(f, kube.PlayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := plans[0]
	if len(p.Dirs) != 3 || string(p.Dirs[0].Files["d/b"]) != "2" || string(p.Dirs[1].Files["password"]) != "s3cret" || p.Dirs[2].Kind != kube.DirEmpty {
		t.Fatalf("dirs %+v\n%s", p.Dirs, y)
	}
	dm := p.Containers[0].DirMounts
	if len(dm) != 4 || dm[1] != (kube.DirMount{Dir: "cfg", SubPath: "a", Destination: "/a"}) || !dm[0].ReadOnly {
		t.Errorf("mounts %+v\n%s", dm, y)
	}
}

package kube

import (
	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/config"
)

// PlayOptions are what shapes every pod of a play.
type PlayOptions struct {
	// Base is a container as rl run's defaults make it (containers.conf,
	// --limits, --cgroup-manager): each container starts from it.
	Base config.Container
	// Net is the pods' network (--network, --publish); a pod with
	// hostNetwork gets the host's.
	Net    config.Net
	Limits Limits
	// Cgroups says a cgroup manager is there: the kubelet's minimum cpu
	// weight of a container without a cpu request is applied then only
	// (elsewhere a pod without resources runs, as rl run does, without
	// cgroup work, and --dry-run says so).
	Cgroups bool
}

// PodPlan is one pod to make.
type PodPlan struct {
	// Doc, Kind and Workload say where it comes from: the document's
	// index (from 1), its kind and name.
	Doc            int
	Kind, Workload string
	// Name is the pod's name: the Pod's, or the controller's with -pod
	// (podman's).
	Name, Hostname string
	Net            config.Net
	Labels         map[string]string
	QoS            QOSClass
	// Amounts are the pod's sums (PodAmounts), Cgroup their cgroup.
	Amounts Amounts
	Cgroup  cgroupsd.Resources
	// Init run to completion, in order, before Containers start.
	Init, Containers []ContainerPlan
	// Dirs are the pod's own directories: emptyDir, configMap and secret
	// volumes, shared by its containers.
	Dirs []PodDir
	// Claims are the named volumes of its persistentVolumeClaims.
	Claims []string
	// HostDirs and HostFiles are the hostPaths to make when missing
	// (type DirectoryOrCreate, FileOrCreate), as the kubelet makes them.
	HostDirs, HostFiles []string
	Warnings            []string
}

// ContainerPlan is one container of a pod.
type ContainerPlan struct {
	// Name is the container's name in the YAML; Options.Name is rl's
	// (POD-NAME).
	Name    string
	Options config.Container
	Amounts Amounts
	// Cgroup is what the kubelet would write; Applied says whether rl
	// asks for it (Options.Resources).
	Cgroup  cgroupsd.Resources
	Applied bool
	// OOMScoreAdj is the kubelet's value for the container.
	OOMScoreAdj int
	// DirMounts mount Dirs of the pod (the engine knows where they are).
	DirMounts []DirMount
}

// PodDir is a directory the engine makes for the pod, with Files in it.
type PodDir struct {
	// Name is the volume's name; Kind its source (emptyDir, configMap,
	// secret) and Source the ConfigMap's or Secret's name, which rl kube
	// generate writes back.
	Name   string            `json:"name"`
	Kind   string            `json:"kind"`
	Source string            `json:"source,omitempty"`
	Files  map[string][]byte `json:"files,omitempty"`
}

// Kinds of PodDir.
const (
	DirEmpty     = "emptyDir"
	DirConfigMap = "configMap"
	DirSecret    = "secret"
)

// DirMount mounts the pod directory Dir (SubPath of it) at Destination.
type DirMount struct {
	Dir, SubPath, Destination string
	ReadOnly                  bool
}

// Labels rl puts on a played container, for rl kube generate and down.
const (
	LabelContainer = "io.rl.kube.container"
	LabelInit      = "io.rl.kube.init"
)

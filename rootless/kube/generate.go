package kube

import (
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/network"
)

// Generate is what rl kube generate writes YAML of: pods (a container
// outside any pod is a pod of its own), as a Pod or a Deployment each.
type Generate struct {
	// Deployment writes Deployments instead of Pods (--type deployment).
	Deployment bool     `json:"deployment,omitempty"`
	Pods       []GenPod `json:"pods,omitempty"`
}

// GenPod is one pod to write.
type GenPod struct {
	Name, Hostname string
	HostNetwork    bool
	Ports          []network.PortMapping
	Labels         map[string]string
	Containers     []GenContainer
	// DirRoot holds a played pod's directories, Dirs (with their files):
	// a mount below it is that emptyDir, configMap or secret volume.
	DirRoot string
	Dirs    []PodDir
}

// GenContainer is one of its containers: its options as rl recorded
// them, and the image's name.
type GenContainer struct {
	// Name is the container's name in the YAML.
	Name    string
	Image   string
	Init    bool
	Options config.Container
}

// Package kube reads Kubernetes YAML for rl kube play and writes it for rl
// kube generate, in the front end (never rl-init). It owns the pure half
// of both: the strict decoding of the documents into the real API types
// (k8s.io/api), the kubelet's mapping of requests and limits to cgroup v2
// values and QoS classes (resources.go), the plan of the pods and
// containers to make (plan.go), and the inverse for generate. The engine
// (package rootless) carries a plan out; nothing here touches the store.
package kube

// Package kube is the front end's half of rl kube play and rl kube
// generate: the plan of the pods and containers to make (plan.go), which
// the engine (package rootless) carries out; the kubelet's mapping of
// requests and limits to cgroup v2 values, QoS classes and oom_score_adj
// (resources.go) and --dry-run's table of it (explain.go); and the client
// of rl-kube, the helper that decodes the YAML into the Kubernetes API
// types and writes it (package backend), which rl itself does not link:
// every container start pays for what rl links. Nothing here touches the
// store.
package kube

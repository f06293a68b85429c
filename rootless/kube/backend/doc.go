// Package backend is rl-kube's side of rl kube play and generate, run in
// the rl-kube helper (cmd/rl-kube), never in rl: the strict decoding of
// YAML documents into the Kubernetes API types (k8s.io/api, as kubectl
// decodes them), the checks the API server would make, the plan of each
// workload's pod in rl's terms (kube.PodPlan), and the YAML of rl's pods
// and containers for generate. It answers one kube.Request (Serve).
package backend

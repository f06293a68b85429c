// Command rl-kube is the helper that rl runs for Kubernetes YAML: it
// decodes a file strictly into the API types (k8s.io/api) and plans its
// pods for rl kube play, and writes the YAML of pods for rl kube
// generate. It links the Kubernetes API packages, which rl itself does
// not, so that starting a container pays for none of them. It reads one
// JSON request (kube.Request) on stdin and prints one JSON answer
// (kube.Answer) on stdout. It is installed beside rl and not meant to be
// run by hand.
package main

import (
	"os"

	"github.com/rl-containers/rl/rootless/kube/backend"
)

func main() {
	os.Exit(backend.Serve(os.Stdin, os.Stdout))
}

package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/rl-containers/rl/rootless/launch"
)

// ErrNoHelper is returned when rl-kube is not installed beside rl.
var ErrNoHelper = errors.New("rl-kube not found beside rl")

// Request is what rl sends rl-kube, the helper that links the
// Kubernetes API types (package backend), as JSON on its stdin: rl itself
// links none of them, because every container start pays for what rl
// links.
type Request struct {
	// Op is "plan" (YAML and Options) or "generate" (Generate).
	Op       string      `json:"op"`
	YAML     []byte      `json:"yaml,omitempty"`
	Options  PlayOptions `json:"options"`
	Generate Generate    `json:"generate"`
}

// Answer is rl-kube's reply on its stdout.
type Answer struct {
	Plans []PodPlan `json:"plans,omitempty"`
	YAML  string    `json:"yaml,omitempty"`
	// Decode is set when the YAML cannot be played; Error for any other
	// failure.
	Decode *DecodeError `json:"decode,omitempty"`
	Error  string       `json:"error,omitempty"`
}

// Plan decodes yaml and plans its pods (in rl-kube).
func Plan(ctx context.Context, yaml []byte, o PlayOptions) ([]PodPlan, error) {
	a, err := call(ctx, Request{Op: "plan", YAML: yaml, Options: o})
	return a.Plans, err
}

// GenerateYAML writes the YAML of g's pods (in rl-kube).
func GenerateYAML(ctx context.Context, g Generate) (string, error) {
	a, err := call(ctx, Request{Op: "generate", Generate: g})
	return a.YAML, err
}

// call runs rl-kube with r and returns its answer.
func call(ctx context.Context, r Request) (Answer, error) {
	var a Answer
	path, err := launch.Helper("rl-kube", ErrNoHelper)
	if err != nil {
		return a, err
	}
	in, err := json.Marshal(r)
	if err != nil {
		return a, err
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, path)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &out, os.Stderr
	runErr := cmd.Run()
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		return a, fmt.Errorf("running rl-kube: %w (and no answer: %w)", runErr, err)
	}
	switch {
	case a.Decode != nil:
		return a, a.Decode
	case a.Error != "":
		return a, errors.New(a.Error)
	case runErr != nil:
		return a, fmt.Errorf("running rl-kube: %w", runErr)
	}
	return a, nil
}

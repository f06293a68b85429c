package kube

import (
	"errors"
	"fmt"
)

// DecodeError is a document that rl cannot play: Path is the field
// (spec.containers[0].resources), Reason why.
type DecodeError struct {
	Doc    int    `json:"doc"`
	Kind   string `json:"kind,omitempty"`
	Path   string `json:"path,omitempty"`
	Reason string `json:"reason"`
}

func (e *DecodeError) Error() string {
	where := fmt.Sprintf("document %d", e.Doc)
	if e.Kind != "" {
		where += " (" + e.Kind + ")"
	}
	if e.Path != "" {
		where += ": " + e.Path
	}
	return where + ": " + e.Reason
}

// ErrDecode is wrapped by every DecodeError, for the CLI's hint.
var ErrDecode = errors.New("invalid Kubernetes YAML")

// Unwrap makes a DecodeError an ErrDecode.
func (e *DecodeError) Unwrap() error { return ErrDecode }

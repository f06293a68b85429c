package backend

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rl-containers/rl/rootless/kube"
)

// Serve answers one kube.Request read from r on w, for rl-kube; it
// returns the process's exit code.
func Serve(r io.Reader, w io.Writer) int {
	var req kube.Request
	var a kube.Answer
	err := json.NewDecoder(r).Decode(&req)
	if err == nil {
		a, err = answer(req)
	}
	var decodeErr *kube.DecodeError
	switch {
	case errors.As(err, &decodeErr):
		a.Decode = decodeErr
	case err != nil:
		a.Error = err.Error()
	}
	if encErr := json.NewEncoder(w).Encode(a); encErr != nil || err != nil {
		return 1
	}
	return 0
}

func answer(req kube.Request) (kube.Answer, error) {
	var a kube.Answer
	switch req.Op {
	case "plan":
		f, err := Decode(req.YAML)
		if err != nil {
			return a, err
		}
		a.Plans, err = Plan(f, req.Options)
		return a, err
	case "generate":
		var err error
		a.YAML, err = GenerateYAML(req.Generate)
		return a, err
	}
	return a, fmt.Errorf("unknown request %q", req.Op)
}

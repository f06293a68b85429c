package rootless

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrNoContainer is returned for a name or id that names no container.
var ErrNoContainer = errors.New("no such container")

// Lookup returns the recorded state of the container ref: a name, a full
// id or a unique prefix of one.
func Lookup(s Store, ref string) (State, error) {
	var st State
	id := ref
	if target, err := os.Readlink(s.nameLink(ref)); err == nil {
		id = target
	} else {
		matches, _ := filepath.Glob(filepath.Join(s.RunRoot, "containers", ref+"*"))
		if len(matches) > 1 {
			return st, fmt.Errorf("%q matches %d containers: give more of the id", ref, len(matches))
		}
		if len(matches) == 1 {
			id = filepath.Base(matches[0])
		}
	}
	c := &container{store: s, state: State{ID: id}}
	b, err := os.ReadFile(filepath.Join(c.runDir(), "state.json"))
	if errors.Is(err, os.ErrNotExist) || !validID(id) {
		return st, fmt.Errorf("%w: %s", ErrNoContainer, ref)
	}
	if err != nil {
		return st, fmt.Errorf("reading the state of %s: %w", ref, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("reading the state of %s: %w", ref, err)
	}
	return st, nil
}

// validID is true for a full container id: 64 lowercase hex digits.
func validID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, r := range id {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

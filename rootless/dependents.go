package rootless

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rl-containers/rl/rootless/store"
)

// Containers that depend on another: those of --network container:NAME,
// which join its network namespace and share its /etc/hosts and
// resolv.conf. As podman, rl removes a container only once no other
// depends on it. The dependency is in the dependent's record; so that rm
// need not read every record, a dependent also leaves an empty file named
// by its id in dependents/ of the other's data directory, when it is
// made. One whose container is gone (removed, or never finished) counts
// for nothing, so nothing takes the files out but the other's removal.

// ErrDependents is the cause of a refusal to remove a container that
// others depend on (podman's "container already exists").
var ErrDependents = errors.New("container already exists")

// dependentsDir is where the dependents of c leave their files.
func dependentsDir(c *store.Container) string { return filepath.Join(c.DataDir(), "dependents") }

// addDependent notes that the container id depends on c, which must still
// exist.
func addDependent(c *store.Container, id string) error {
	dir := dependentsDir(c)
	// Not MkdirAll: a container removed meanwhile must not get a data
	// directory back.
	err := os.Mkdir(dir, 0o700)
	if err == nil || errors.Is(err, os.ErrExist) {
		err = os.WriteFile(filepath.Join(dir, id), nil, 0o600)
	}
	if err != nil {
		return fmt.Errorf("noting the dependency on container %.12s: %w", c.State.ID, err)
	}
	return nil
}

// Dependents returns the ids of the containers that depend on the
// container ref and exist.
func (e *Engine) Dependents(ctx context.Context, ref string) ([]string, error) {
	c, err := e.Store.Load(ref)
	if err != nil {
		return nil, err
	}
	return dependents(c), nil
}

// dependents returns the ids of the existing containers that depend on c.
func dependents(c *store.Container) []string {
	entries, _ := os.ReadDir(dependentsDir(c))
	var ids []string
	for _, e := range entries {
		if !store.ValidID(e.Name()) {
			continue
		}
		if _, err := c.Store.Load(e.Name()); err == nil {
			ids = append(ids, e.Name())
		}
	}
	return ids
}

// checkNoDependents refuses the removal of c, named ref, while others
// depend on it, as podman does.
func checkNoDependents(c *store.Container, ref string) error {
	ids := dependents(c)
	if len(ids) == 0 {
		return nil
	}
	return fmt.Errorf("container %s has dependent containers which must be removed before it: %s: %w (remove them first, or all with rl rm --depend %s)",
		ref, strings.Join(ids, ", "), ErrDependents, ref)
}

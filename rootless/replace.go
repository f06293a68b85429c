package rootless

import (
	"errors"
	"fmt"

	"github.com/rl-containers/rl/rootless/store"
)

// replace removes the container named name, running or not, for
// --replace; a name that no container has is fine.
func (e *Engine) replace(name string) error {
	c, err := e.Store.Load(name)
	if errors.Is(err, store.ErrNoContainer) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.State.Name != name {
		return nil // name is another container's id prefix, not its name
	}
	if err := removeContainer(c, true); err != nil {
		return fmt.Errorf("replacing container %s: %w", name, err)
	}
	return nil
}

package rootless

import (
	"errors"
	"fmt"
	"log/slog"

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
	// Its files go now, not once this rl exits: a foreground rl run
	// --replace may run for long.
	if _, err := store.Purge(nil); err != nil {
		slog.Warn(err.Error())
	}
	return nil
}

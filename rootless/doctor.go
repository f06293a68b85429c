package rootless

import (
	"context"

	"github.com/rl-containers/rl/rootless/doctor"
)

// Doctor runs every check of rl's prerequisites on this machine (rl
// doctor), with the engine's store, whose image store it opens through
// rl-image.
func (e *Engine) Doctor(ctx context.Context) (*doctor.Host, []doctor.Result) {
	h := doctor.NewHost(ctx, e.Store, func(ctx context.Context) error {
		_, err := e.Images().List(ctx)
		return err
	})
	return h, doctor.Run(h)
}

package rootless

import (
	"context"
	"io"
	"sync"

	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/store"
)

// LogsOf prints what the containers refs wrote to stdout and stderr; the
// lines of several containers, printed side by side, each begin with the
// container's short id, as podman's do. Every container is looked up
// before anything is printed.
func (e *Engine) LogsOf(ctx context.Context, refs []string, o monitor.LogOptions, stdout, stderr io.Writer) error {
	cs := make([]*store.Container, len(refs))
	for i, ref := range refs {
		c, err := e.Store.Load(ref)
		if err != nil {
			return err
		}
		cs[i] = c
	}
	if len(cs) == 1 {
		return monitor.Logs(cs[0], o, stdout, stderr)
	}
	out, errOut := &lockedWriter{w: stdout}, &lockedWriter{w: stderr}
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		co := o
		co.Prefix = c.State.ID[:12] + " "
		wg.Go(func() { errs[i] = monitor.Logs(c, co, out, errOut) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// lockedWriter serialises the Writes of several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

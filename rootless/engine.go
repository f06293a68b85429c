package rootless

import (
	"context"
	"io"
	"slices"

	"github.com/rl-containers/rl/rootless/exec"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/store"
)

// Engine is rl's container engine on one store.
type Engine struct {
	Store store.Store
}

// New returns the engine of store s.
func New(s store.Store) *Engine { return &Engine{Store: s} }

// Images is the client of the store's images.
func (e *Engine) Images() image.Client {
	return image.Client{GraphRoot: e.Store.GraphRoot(), RunRoot: e.Store.ImageRunRoot(), MountProgram: e.Store.MountProgram,
		MaxLayerFile: e.Store.MaxLayerFile, MinFree: e.Store.MinFree}
}

// Lookup returns the state of the container ref: a name, a full id or a
// unique prefix of one.
func (e *Engine) Lookup(ctx context.Context, ref string) (store.State, error) {
	c, err := e.Store.Load(ref)
	if err != nil {
		return store.State{}, err
	}
	return c.State, nil
}

// List returns the state of every container, oldest first.
func (e *Engine) List(ctx context.Context) ([]store.State, error) { return e.Store.List() }

// Containers returns the state of the containers that f selects, newest
// first: of the active ones (running or restarting) only, unless all or
// f has a status condition (which, as docker's, looks at every container).
func (e *Engine) Containers(ctx context.Context, f store.Filter, all bool) ([]store.State, error) {
	all = all || f.Has("status") || f.Has("exited")
	list := e.Store.ListActive
	if all {
		list = e.Store.List
	}
	states, err := list()
	if err != nil {
		return nil, err
	}
	if f.Has("label") {
		e.Store.ReadLabels(states)
	}
	var out []store.State
	for _, st := range slices.Backward(states) {
		if (all || st.Active()) && f.Match(st) {
			out = append(out, st)
		}
	}
	return out, nil
}

// Exec runs a command in the running container ref (see exec.Exec).
func (e *Engine) Exec(ctx context.Context, ref string, o exec.Options) (int, error) {
	c, err := e.Store.Load(ref)
	if err != nil {
		return 0, err
	}
	return exec.Exec(c, o)
}

// Top returns the host pids of the processes in the running container
// ref.
func (e *Engine) Top(ctx context.Context, ref string) ([]int, error) {
	c, err := e.Store.Load(ref)
	if err != nil {
		return nil, err
	}
	return exec.Top(c)
}

// Logs prints the log of the container ref to stdout and stderr.
func (e *Engine) Logs(ctx context.Context, ref string, o monitor.LogOptions, stdout, stderr io.Writer) error {
	c, err := e.Store.Load(ref)
	if err != nil {
		return err
	}
	return monitor.Logs(c, o, stdout, stderr)
}

// RemoveImages removes each of refs from the store, refusing an image
// that a container uses unless force. It returns the ids removed.
func (e *Engine) RemoveImages(ctx context.Context, refs []string, force bool) ([]string, error) {
	states, err := e.Store.List()
	if err != nil {
		return nil, err
	}
	var inUse []string
	for _, st := range states {
		if st.ImageID != "" {
			inUse = append(inUse, st.ImageID)
		}
	}
	return e.Images().Remove(ctx, refs, inUse, force)
}

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrNoContainer is returned for a name or id that names no container.
var ErrNoContainer = errors.New("no such container")

// List returns the state of every container, oldest first.
func (s Store) List() ([]State, error) {
	ids, err := s.containerIDs()
	return s.readStates(ids), err
}

// Names returns the name of every container from its name link alone,
// reading no state (shell completion).
func (s Store) Names() ([]string, error) {
	links, err := os.ReadDir(filepath.Join(s.Root, "names"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("listing container names: %w", err)
	}
	names := make([]string, 0, len(links))
	for _, l := range links {
		if l.Type()&os.ModeSymlink != 0 {
			names = append(names, l.Name())
		}
	}
	return names, nil
}

// containerIDs returns the id of every container directory.
func (s Store) containerIDs() ([]string, error) {
	dirs, err := os.ReadDir(filepath.Join(s.Root, "containers"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	ids := make([]string, 0, len(dirs))
	for _, d := range dirs {
		if ValidID(d.Name()) {
			ids = append(ids, d.Name())
		}
	}
	return ids, nil
}

// ReadLabels sets the Labels of each of states from the container's record
// (nil where it cannot be read), reading the records in parallel.
func (s Store) ReadLabels(states []State) {
	inParallel(len(states), func(i int) {
		states[i].Labels, _ = (&Container{Store: s, State: states[i]}).Labels()
	})
}

// parallelBatch is the fewest calls that inParallel gives a goroutine:
// fewer are not worth the thread that it may start.
const parallelBatch = 32

// inParallel calls do for each index below n, in a goroutine for each CPU
// that may run one: reading and decoding the containers' files is most of
// a listing's work.
func inParallel(n int, do func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+parallelBatch-1)/parallelBatch)
	if workers <= 1 {
		for i := range n {
			do(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				do(i)
			}
		})
	}
	wg.Wait()
}

// readStates reads the states of the containers ids, oldest first, in
// parallel. A container being made has no state yet; one
// being removed has lost it: neither is listed.
func (s Store) readStates(ids []string) []State {
	states := make([]State, len(ids))
	read := make([]bool, len(ids))
	inParallel(len(ids), func(i int) {
		c := &Container{Store: s, State: State{ID: ids[i]}}
		read[i] = c.ReadState() == nil
		states[i] = c.State
	})
	out := states[:0]
	for i, st := range states {
		if read[i] {
			out = append(out, st)
		}
	}
	slices.SortFunc(out, func(a, b State) int { return a.Created.Compare(b.Created) })
	return out
}

// Load finds the container ref (a name, a full id or a unique prefix of
// one) and reads its state.
func (s Store) Load(ref string) (*Container, error) {
	id, err := s.resolve(ref)
	if err != nil {
		return nil, err
	}
	c := &Container{Store: s, State: State{ID: id}}
	if err := c.ReadState(); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNoContainer, ref)
		}
		return nil, fmt.Errorf("reading the state of %s: %w", ref, err)
	}
	return c, nil
}

// resolve turns a container's name, id or id prefix into its id.
func (s Store) resolve(ref string) (string, error) {
	return resolveID(filepath.Join(s.Root, "containers"), filepath.Join(s.Root, "names"), ref, ErrNoContainer, "containers")
}

// resolveID turns ref into an id: a name (a link in names), a full id or a
// unique prefix of the ids in dir. none is wrapped when nothing matches;
// kind names the things in dir for the error about an ambiguous prefix.
func resolveID(dir, names, ref string, none error, kind string) (string, error) {
	if !strings.Contains(ref, "/") {
		if target, err := os.Readlink(filepath.Join(names, ref)); err == nil {
			return target, nil
		}
	}
	if ValidID(ref) {
		// A full id is no other id's prefix: the caller's read of what
		// it names tells whether it exists, without a walk of dir.
		return ref, nil
	}
	if ref == "" || strings.ContainsAny(ref, "/*?[\\") {
		return "", fmt.Errorf("%w: %q", none, ref)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ref+"*"))
	// A container removed and not yet purged (state.removed) is none.
	matches = slices.DeleteFunc(matches, func(m string) bool {
		return !ValidID(filepath.Base(m)) || Exists(filepath.Join(m, "state.removed"))
	})
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("%w: %s", none, ref)
	case 1:
		return filepath.Base(matches[0]), nil
	}
	return "", fmt.Errorf("%q matches %d %s: give more of the id", ref, len(matches), kind)
}

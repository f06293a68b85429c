package rootless

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrNoContainer is returned for a name or id that names no container.
var ErrNoContainer = errors.New("no such container")

// Lookup returns the state of the container ref: a name, a full id or a
// unique prefix of one.
func Lookup(s Store, ref string) (State, error) {
	c, err := s.load(ref)
	if err != nil {
		return State{}, err
	}
	return c.state, nil
}

// List returns the state of every container, oldest first.
func List(s Store) ([]State, error) {
	dirs, err := os.ReadDir(filepath.Join(s.Root, "containers"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	var out []State
	for _, d := range dirs {
		if !validID(d.Name()) {
			continue
		}
		c := &container{store: s, state: State{ID: d.Name()}}
		// A container being made has no state yet; one being removed
		// has lost it: neither is listed.
		if c.readState() == nil {
			out = append(out, c.state)
		}
	}
	slices.SortFunc(out, func(a, b State) int { return a.Created.Compare(b.Created) })
	return out, nil
}

// load finds the container ref and reads its state.
func (s Store) load(ref string) (*container, error) {
	id, err := s.resolve(ref)
	if err != nil {
		return nil, err
	}
	c := &container{store: s, state: State{ID: id}}
	if err := c.readState(); err != nil {
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
	if ref == "" || strings.ContainsAny(ref, "/*?[\\") {
		return "", fmt.Errorf("%w: %q", none, ref)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ref+"*"))
	matches = slices.DeleteFunc(matches, func(m string) bool { return !validID(filepath.Base(m)) })
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("%w: %s", none, ref)
	case 1:
		return filepath.Base(matches[0]), nil
	}
	return "", fmt.Errorf("%q matches %d %s: give more of the id", ref, len(matches), kind)
}

// readState reads c's state file and settles it: a container whose
// monitor is gone without recording the end (killed, or the machine
// rebooted) is exited, with the reason.
func (c *container) readState() error {
	b, err := os.ReadFile(filepath.Join(c.dataDir(), "state.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &c.state); err != nil {
		return err
	}
	if c.state.active() && !c.state.Monitor.Alive() {
		c.state.Status, c.state.ExitCode = StatusExited, -1
		c.state.Error = fmt.Sprintf("rl's monitor (pid %d) ended without recording the container's exit: it was killed, or the machine restarted", c.state.Monitor.Pid)
	}
	if c.state.Status == StatusRunning {
		if h := c.readHealth(); h != nil {
			c.state.Health = h.Status
		}
	}
	return nil
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

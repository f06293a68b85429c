package store

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// newStoreWith makes a store in a temporary directory holding a container
// of each status given, saved as rl saves them, the active ones with this
// process as their live monitor; it returns their ids in that order.
func newStoreWith(t *testing.T, statuses ...string) (Store, []string) {
	t.Helper()
	dir := t.TempDir()
	s := Store{Root: filepath.Join(dir, "root"), RunRoot: filepath.Join(dir, "run")}
	var ids []string
	for i, status := range statuses {
		id, err := NewID()
		if err != nil {
			t.Fatal(err)
		}
		c := &Container{Store: s, State: State{ID: id, Status: status, Created: time.Unix(int64(i), 0)}}
		if c.State.Active() {
			c.State.Monitor = ProcessOf(os.Getpid())
		}
		if err := os.MkdirAll(c.DataDir(), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := c.Save(); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return s, ids
}

func listedIDs(t *testing.T, list func() ([]State, error)) []string {
	t.Helper()
	states, err := list()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, st := range states {
		ids = append(ids, st.ID)
	}
	return ids
}

func TestListActiveListsWhatListDoesOfTheActive(t *testing.T) {
	s, ids := newStoreWith(t, StatusCreated, StatusRunning, StatusExited, StatusRestarting, StatusCreated)
	// A running container whose monitor is gone is exited.
	dead := &Container{Store: s, State: State{ID: ids[4], Status: StatusRunning, Created: time.Unix(4, 0), Monitor: Process{Pid: 1 << 30, Boot: "gone"}}}
	if err := dead.Save(); err != nil {
		t.Fatal(err)
	}
	want := []string{ids[1], ids[3]}
	// Built by the first reader, then kept up by Save; rebuilt when it
	// is gone (a new run root) or was left half built.
	for _, step := range []struct {
		name  string
		setup func() error
	}{
		{"first read", func() error { return nil }},
		{"kept up", func() error { return nil }},
		{"removed", func() error { return os.RemoveAll(s.activeDir()) }},
		{"half built", func() error {
			if err := os.Remove(filepath.Join(s.activeDir(), activeComplete)); err != nil {
				return err
			}
			return os.Remove(filepath.Join(s.activeDir(), ids[1]))
		}},
	} {
		if err := step.setup(); err != nil {
			t.Fatal(err)
		}
		if got := listedIDs(t, s.ListActive); !slices.Equal(got, want) {
			t.Errorf("%s: ListActive = %.12s, want %.12s", step.name, got, want)
		}
	}
	// What List selects of the active agrees.
	var fromList []string
	states, _ := s.List()
	for _, st := range states {
		if st.Active() {
			fromList = append(fromList, st.ID)
		}
	}
	if !slices.Equal(fromList, want) {
		t.Errorf("List's active = %.12s, want %.12s", fromList, want)
	}
}

func TestSaveAndRemoveKeepTheActiveIndex(t *testing.T) {
	s, ids := newStoreWith(t, StatusRunning, StatusRunning)
	if got := listedIDs(t, s.ListActive); len(got) != 2 {
		t.Fatalf("ListActive = %.12s, want both", got)
	}
	entry := func(id string) bool { return Exists(filepath.Join(s.activeDir(), id)) }
	c := &Container{Store: s, State: State{ID: ids[0], Status: StatusExited}}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	if entry(ids[0]) {
		t.Error("an exited container is still in the active index")
	}
	c = &Container{Store: s, State: State{ID: ids[1], Status: StatusRunning}}
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	if entry(ids[1]) {
		t.Error("a removed container is still in the active index")
	}
	if got := listedIDs(t, s.ListActive); len(got) != 0 {
		t.Errorf("ListActive = %.12s, want none", got)
	}
}

func TestListActiveDropsTheEntriesOfContainersThatDoNotRun(t *testing.T) {
	s, ids := newStoreWith(t, StatusRunning, StatusRunning)
	// As a monitor killed before it recorded the exit leaves its state.
	dead := &Container{Store: s, State: State{ID: ids[0], Status: StatusRunning, Monitor: Process{Pid: 1 << 30, Boot: "gone"}}}
	if err := dead.Save(); err != nil {
		t.Fatal(err)
	}
	if got := listedIDs(t, s.ListActive); !slices.Equal(got, ids[1:]) {
		t.Errorf("ListActive = %.12s, want %.12s", got, ids[1:])
	}
	if Exists(filepath.Join(s.activeDir(), ids[0])) || !Exists(filepath.Join(s.activeDir(), ids[1])) {
		t.Error("ListActive did not drop the dead monitor's entry alone")
	}
}

func TestRepairDropsActiveEntriesOfRemovedContainers(t *testing.T) {
	s, ids := newStoreWith(t, StatusRunning, StatusRunning)
	if _, err := s.ListActive(); err != nil {
		t.Fatal(err)
	}
	// As a remover killed after removing the state leaves it.
	if err := os.Remove(filepath.Join(s.Root, "containers", ids[0], "state.json")); err != nil {
		t.Fatal(err)
	}
	if err := s.Repair(); err != nil {
		t.Fatal(err)
	}
	if Exists(filepath.Join(s.activeDir(), ids[0])) || !Exists(filepath.Join(s.activeDir(), ids[1])) {
		t.Error("Repair did not drop the removed container's entry alone")
	}
}

func TestListActiveReadsEveryStateWhenTheIndexIsNotADirectoryOfOurs(t *testing.T) {
	s, ids := newStoreWith(t, StatusRunning, StatusCreated)
	// As one planted by another user, or a symlink to such a one.
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, activeComplete), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(s.activeDir()); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(empty, s.activeDir()); err != nil {
		t.Fatal(err)
	}
	if got := listedIDs(t, s.ListActive); !slices.Equal(got, ids[:1]) {
		t.Errorf("ListActive = %.12s, want %.12s", got, ids[:1])
	}
}

func TestListActiveOfAnEmptyStoreMakesNothing(t *testing.T) {
	s, _ := newStoreWith(t)
	if got := listedIDs(t, s.ListActive); len(got) != 0 {
		t.Errorf("ListActive = %.12s, want none", got)
	}
	if Exists(s.RunRoot) {
		t.Errorf("ListActive of an empty store made %s", s.RunRoot)
	}
}

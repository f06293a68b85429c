package store

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/rl-containers/rl/rootless/config"
)

func TestLoadByFullIDPrefixAndName(t *testing.T) {
	s, ids := newStoreWith(t, StatusCreated)
	if err := os.MkdirAll(filepath.Join(s.Root, "names"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(ids[0], s.nameLink("named")); err != nil {
		t.Fatal(err)
	}
	other, err := NewID()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ref  string
		want string // "" for no such container
	}{
		{ids[0], ids[0]},
		{ids[0][:12], ids[0]},
		{"named", ids[0]},
		{other, ""},
		{"", ""},
	} {
		c, err := s.Load(tc.ref)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("Load(%.12q) found %.12s", tc.ref, c.State.ID)
		case tc.want != "" && (err != nil || c.State.ID != tc.want):
			t.Errorf("Load(%.12q) = %v, want %.12s", tc.ref, err, tc.want)
		}
	}
}

func TestReadLabelsReadsTheRecordsLabels(t *testing.T) {
	s, ids := newStoreWith(t, StatusCreated, StatusCreated)
	labels := map[string]string{"a": "1", "b": ""}
	c := &Container{Store: s, State: State{ID: ids[0], Status: StatusCreated}}
	if err := c.SaveRecord(&config.Record{Options: config.Container{Labels: labels}}); err != nil {
		t.Fatal(err)
	}
	states, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	s.ReadLabels(states)
	if !maps.Equal(states[0].Labels, labels) {
		t.Errorf("labels = %v, want %v", states[0].Labels, labels)
	}
	if states[1].Labels != nil {
		t.Errorf("labels of a container without a record = %v, want none", states[1].Labels)
	}
}

func TestInParallelCallsEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, parallelBatch - 1, parallelBatch + 1, 1000} {
		calls := make([]int, n)
		inParallel(n, func(i int) { calls[i]++ })
		for i, c := range calls {
			if c != 1 {
				t.Fatalf("n=%d: index %d called %d times", n, i, c)
			}
		}
	}
}

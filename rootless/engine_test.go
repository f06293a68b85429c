package rootless

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/rl-containers/rl/rootless/store"
)

// testStore makes containers of the statuses given, one a second apart
// in that order; a running one is monitored by this process.
func testStore(t *testing.T, statuses ...string) store.Store {
	t.Helper()
	s := store.Store{Root: t.TempDir(), RunRoot: t.TempDir()}
	start := time.Now().Add(-time.Hour)
	for i, status := range statuses {
		c, unlock, err := s.Create(status+"-"+string(rune('a'+i)), "")
		if err != nil {
			t.Fatal(err)
		}
		c.State.Status, c.State.Created = status, start.Add(time.Duration(i)*time.Second)
		if status == store.StatusRunning {
			c.State.Monitor = store.ProcessOf(os.Getpid())
		}
		if err := c.Save(); err != nil {
			t.Fatal(err)
		}
		unlock()
	}
	return s
}

func names(states []store.State) []string {
	out := make([]string, len(states))
	for i, st := range states {
		out[i] = st.Name
	}
	return out
}

func TestContainers(t *testing.T) {
	e := New(testStore(t, store.StatusExited, store.StatusRunning, store.StatusCreated, store.StatusRunning))
	parse := func(exprs ...string) store.Filter {
		f, err := store.ParseFilter(exprs)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, tt := range []struct {
		name   string
		filter store.Filter
		all    bool
		want   []string
	}{
		{"running, newest first", store.Filter{}, false, []string{"running-d", "running-b"}},
		{"all", store.Filter{}, true, []string{"running-d", "created-c", "running-b", "exited-a"}},
		{"a name", parse("name=-b$"), true, []string{"running-b"}},
		{"a status looks at every container", parse("status=exited"), false, []string{"exited-a"}},
		{"a name looks at running ones", parse("name=^exited"), false, []string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Containers(context.Background(), tt.filter, tt.all)
			if err != nil {
				t.Fatal(err)
			}
			if g := names(got); !slices.Equal(g, tt.want) {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
}

package volume

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rl-containers/rl/rootless/store"
)

func TestCreateLoadRemove(t *testing.T) {
	s := New(store.Store{Root: t.TempDir(), RunRoot: t.TempDir()})
	v, err := s.Create(Options{Name: "data", Labels: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Driver != "local" || v.Scope != "local" || !v.NeedsCopyUp || v.Options == nil || !store.Exists(v.Mountpoint) {
		t.Fatalf("created %+v", v)
	}
	if _, err := s.Create(Options{Name: "data"}); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: %v, want ErrExists", err)
	}
	anon, err := s.Create(Options{Anonymous: true})
	if err != nil || len(anon.Name) != 64 || !anon.Anonymous {
		t.Fatalf("anonymous: %+v, %v", anon, err)
	}
	if got, err := s.Load("data"); err != nil || !got.NeedsCopyUp || !got.NeedsChown || got.Labels["a"] != "b" {
		t.Fatalf("Load: %+v, %v", got, err)
	}
	// Content ends NeedsCopyUp; Settle writes it down, for good.
	f := filepath.Join(v.Mountpoint, "f")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load("data")
	if err != nil || got.NeedsCopyUp || got.NeedsChown {
		t.Fatalf("Load with content: %+v, %v", got, err)
	}
	if err := s.Settle(got); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(f); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load("data"); err != nil || got.NeedsCopyUp {
		t.Fatalf("Load after Settle, emptied: %+v, %v", got, err)
	}
	all, err := s.List()
	if err != nil || len(all) != 2 || all[0].Name != "data" {
		t.Fatalf("List: %v, %v", all, err)
	}
	if err := s.RemoveLocked("data"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load("data"); !errors.Is(err, ErrNoVolume) {
		t.Fatalf("Load after remove: %v", err)
	}
	if err := s.RemoveLocked("data"); !errors.Is(err, ErrNoVolume) {
		t.Fatalf("second remove: %v", err)
	}
	for _, bad := range []string{"a/b", "../x", "", "-a", ".a"} {
		if _, err := s.Load(bad); !errors.Is(err, ErrNoVolume) {
			t.Errorf("Load(%q): %v", bad, err)
		}
	}
	if _, err := s.Create(Options{Name: "a/b"}); err == nil {
		t.Error("created a/b")
	}
}

func TestFilter(t *testing.T) {
	v := &Volume{Name: "web_data", Driver: "local", Labels: map[string]string{"app": "web"}, CreatedAt: time.Now()}
	tests := []struct {
		exprs []string
		inUse bool
		want  bool
	}{
		{nil, false, true},
		{[]string{"name=web"}, false, true},
		{[]string{"name=^data"}, false, false},
		{[]string{"name=nope", "name=data$"}, false, true},
		{[]string{"label=app"}, false, true},
		{[]string{"label=app=web"}, false, true},
		{[]string{"label=app=db"}, false, false},
		{[]string{"driver=local", "label=app"}, false, true},
		{[]string{"dangling=true"}, true, false},
		{[]string{"dangling=true"}, false, true},
		{[]string{"anonymous=false"}, false, true},
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.exprs)
		if err != nil {
			t.Fatalf("ParseFilter(%q): %v", tt.exprs, err)
		}
		if got := f.Match(v, tt.inUse); got != tt.want {
			t.Errorf("%q (in use %v) = %v, want %v", tt.exprs, tt.inUse, got, tt.want)
		}
	}
	for _, bad := range []string{"name", "bogus=1", "dangling=maybe", "name=("} {
		if _, err := ParseFilter([]string{bad}); err == nil {
			t.Errorf("ParseFilter(%q) succeeded", bad)
		}
	}
}

func TestParseOptions(t *testing.T) {
	dir := t.TempDir()
	for _, good := range [][]string{{"nocopy"}, {"type=bind", "device=" + dir}, {"type=bind", "device=" + dir, "o=rbind,ro"}, {"type=tmpfs", "device=tmpfs", "o=size=2M,mode=700"}} {
		if _, err := ParseOptions(good); err != nil {
			t.Errorf("ParseOptions(%q): %v", good, err)
		}
	}
	for _, bad := range [][]string{{"type=ext4", "device=/dev/x"}, {"device=/dev/x"}, {"o=bind"}, {"size=1m"}, {"type=bind"},
		{"type=bind", "device=" + dir + "/missing"}, {"type=bind", "device=rel"}, {"type=bind", "device=" + dir, "o=noexec"}, {"type=tmpfs", "o=exec"}} {
		if _, err := ParseOptions(bad); err == nil {
			t.Errorf("ParseOptions(%q) succeeded", bad)
		}
	}
}

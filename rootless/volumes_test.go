package rootless

import (
	"context"
	"errors"
	"testing"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/rootless/volume"
)

// withMounts makes a container named name whose record mounts ms.
func withMounts(t *testing.T, s store.Store, name string, ms ...spec.Mount) {
	t.Helper()
	c, unlock, err := s.Create(name, "")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	c.State.Status = store.StatusExited
	if err := c.SaveRecord(&config.Record{Spec: &spec.Spec{Mounts: ms}}); err != nil {
		t.Fatal(err)
	}
}

func TestAttachVolumes(t *testing.T) {
	e := New(testStore(t))
	host := t.TempDir()
	if _, err := e.Volumes().Create(volume.Options{Name: "dev", Options: map[string]string{"type": "bind", "device": host, "o": "ro"}}); err != nil {
		t.Fatal(err)
	}
	sp := &spec.Spec{Mounts: []spec.Mount{
		{Kind: spec.Volume, Source: "data", Destination: "/data", CopyUp: true},
		{Kind: spec.Volume, Destination: "/anon", CopyUp: true},
		{Kind: spec.Volume, Source: "dev", Destination: "/dev-dir", CopyUp: true},
		{Kind: spec.Bind, Source: host, Destination: "/host"},
	}}
	if err := e.attachVolumes(sp, config.Container{}); err != nil {
		t.Fatal(err)
	}
	data, err := e.Volumes().Load("data")
	if err != nil {
		t.Fatalf("the named volume was not made on first use: %v", err)
	}
	if m := sp.Mounts[0]; m.Kind != spec.Bind || m.Volume != "data" || m.Source != data.Mountpoint || !m.CopyUp {
		t.Errorf("named: %+v", m)
	}
	anon, err := e.Volumes().Load(sp.Mounts[1].Volume)
	if err != nil || !anon.Anonymous || sp.Mounts[1].Source != anon.Mountpoint {
		t.Errorf("anonymous: %+v, %+v, %v", sp.Mounts[1], anon, err)
	}
	if m := sp.Mounts[2]; m.Source != host || m.CopyUp || !m.ReadOnly || m.Volume != "dev" {
		t.Errorf("type=bind volume: %+v", m)
	}
	if m := sp.Mounts[3]; m.Volume != "" || m.Source != host {
		t.Errorf("a bind changed: %+v", m)
	}

	// --volumes-from takes the binds and volumes, :ro makes them
	// read-only, and the container's own mount on a path wins.
	withMounts(t, e.Store, "src", sp.Mounts...)
	other := &spec.Spec{Mounts: []spec.Mount{{Kind: spec.Tmpfs, Destination: "/host"}}}
	if err := e.attachVolumes(other, config.Container{VolumesFrom: []string{"src:ro"}}); err != nil {
		t.Fatal(err)
	}
	if len(other.Mounts) != 4 || other.Mounts[0].Kind != spec.Tmpfs || other.Mounts[1].Volume != "data" || !other.Mounts[1].ReadOnly || other.Mounts[1].CopyUp {
		t.Errorf("--volumes-from: %+v", other.Mounts)
	}
	if err := e.attachVolumes(&spec.Spec{}, config.Container{VolumesFrom: []string{"nosuch"}}); !errors.Is(err, store.ErrNoContainer) {
		t.Errorf("--volumes-from nosuch: %v", err)
	}
}

func TestVolumeRemoveInUse(t *testing.T) {
	e := New(testStore(t))
	ctx := context.Background()
	if _, err := e.VolumeCreate(ctx, volume.Options{Name: "v"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.VolumeCreate(ctx, volume.Options{Name: "v"}, true); err != nil {
		t.Fatalf("--ignore: %v", err)
	}
	withMounts(t, e.Store, "user", spec.Mount{Kind: spec.Bind, Volume: "v", Destination: "/v"})
	err := e.VolumeRemove(ctx, "v", false)
	if !errors.Is(err, volume.ErrInUse) || launch.ExitCode(err) != 2 {
		t.Fatalf("removing a used volume: %v (exit %d), want ErrInUse, exit 2", err, launch.ExitCode(err))
	}
	f, _ := volume.ParseFilter([]string{"dangling=false"})
	if vols, err := e.VolumeList(ctx, f); err != nil || len(vols) != 1 {
		t.Fatalf("in use: %v, %v", vols, err)
	}
	if pruned, err := e.VolumePrune(ctx, volume.Filter{}); err != nil || len(pruned) != 0 {
		t.Fatalf("prune removed a used volume: %v, %v", pruned, err)
	}
	if err := e.Remove(ctx, "user", false); err != nil {
		t.Fatal(err)
	}
	if pruned, err := e.VolumePrune(ctx, volume.Filter{}); err != nil || len(pruned) != 1 {
		t.Fatalf("prune: %v, %v", pruned, err)
	}
}

func TestInspectMounts(t *testing.T) {
	got := inspectMounts([]spec.Mount{
		{Kind: spec.Bind, Source: "/h", Destination: "/d", ReadOnly: true},
		{Kind: spec.Bind, Source: "/s/_data", Volume: "v", Destination: "/v"},
		{Kind: spec.Tmpfs, Destination: "/t"},
	})
	if len(got) != 2 || got[0].Type != "bind" || got[0].RW || got[1].Type != "volume" || got[1].Name != "v" || !got[1].RW || got[1].Driver != "local" {
		t.Fatalf("inspectMounts: %+v", got)
	}
}

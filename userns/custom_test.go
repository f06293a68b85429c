package userns

import (
	"reflect"
	"testing"
)

func TestParseMap(t *testing.T) {
	if m, err := ParseMap("0:1:1000"); err != nil || m != (IDMap{ContainerID: 0, HostID: 1, Size: 1000}) {
		t.Fatalf("ParseMap(0:1:1000) = %+v, %v", m, err)
	}
	for _, bad := range []string{"", "0:1", "0:1:2:3", "a:1:2", "0:1:0", "0:-1:5", "4294967290:0:10"} {
		if _, err := ParseMap(bad); err == nil {
			t.Errorf("ParseMap(%q) took it", bad)
		}
	}
}

func TestNest(t *testing.T) {
	subs := []Range{{Start: 100000, Count: 65536}}
	m := Compute(ModeDefault, 1000, 1000, subs, subs)
	custom := Level{UIDs: []IDMap{{ContainerID: 0, HostID: 0, Size: 1000}}, GIDs: []IDMap{{ContainerID: 0, HostID: 0, Size: 1}}}
	if err := m.nest(custom); err != nil {
		t.Fatal(err)
	}
	// Split where the caller's outer map has a range of its own.
	want := []IDMap{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: 1, HostID: 1, Size: 999}}
	if !reflect.DeepEqual(m.Inner.UIDs, want) {
		t.Errorf("inner uids %+v, want %+v", m.Inner.UIDs, want)
	}
	for name, l := range map[string]Level{
		"beyond the caller's ids": {UIDs: []IDMap{{ContainerID: 0, HostID: 0, Size: 70000}}, GIDs: []IDMap{{HostID: 0, Size: 1}}},
		"overlapping hosts":       {UIDs: []IDMap{{ContainerID: 0, HostID: 0, Size: 10}, {ContainerID: 20, HostID: 5, Size: 10}}, GIDs: []IDMap{{HostID: 0, Size: 1}}},
		"overlapping containers":  {UIDs: []IDMap{{ContainerID: 0, HostID: 0, Size: 10}, {ContainerID: 5, HostID: 20, Size: 10}}, GIDs: []IDMap{{HostID: 0, Size: 1}}},
	} {
		m := Compute(ModeDefault, 1000, 1000, subs, subs)
		if err := m.nest(l); err == nil {
			t.Errorf("%s: nest took %+v", name, l)
		}
	}
	single := Compute(ModeDefault, 1000, 1000, nil, nil)
	if err := single.nest(custom); err == nil {
		t.Error("nest took maps for a caller without subordinate ids")
	}
}

func TestKey(t *testing.T) {
	a := Level{UIDs: []IDMap{{Size: 1}}}
	b := Level{UIDs: []IDMap{{Size: 2}}}
	if a.Key() == b.Key() || a.Key() != (Level{UIDs: []IDMap{{Size: 1}}}).Key() {
		t.Error("Key does not tell maps apart, or differs for the same maps")
	}
}

func TestAuto(t *testing.T) {
	subs := []Range{{Start: 100000, Count: 6000}}
	auto := func(want uint32, used []IDMap) (*Level, error) {
		m := Compute(ModeDefault, 1000, 1000, subs, subs)
		err := m.Auto(want, used)
		return m.Inner, err
	}
	l, err := auto(1024, nil)
	if err != nil || l.UIDs[0] != (IDMap{ContainerID: 0, HostID: 1, Size: 1024}) {
		t.Fatalf("first auto = %+v, %v", l, err)
	}
	// Past a range in use, into a gap that fits.
	used := []IDMap{{HostID: 1, Size: 1024}, {HostID: 3000, Size: 100}}
	if l, err := auto(1024, used); err != nil || l.UIDs[0].HostID != 1025 {
		t.Errorf("second auto = %+v, %v; want host 1025", l, err)
	}
	if l, err := auto(2000, used); err != nil || l.UIDs[0].HostID != 3100 {
		t.Errorf("auto past the gap = %+v, %v; want host 3100", l, err)
	}
	if _, err := auto(5000, used); err == nil {
		t.Error("auto took more ids than are free")
	}
}

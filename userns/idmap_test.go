package userns

import (
	"reflect"
	"testing"
)

func TestCompute(t *testing.T) {
	subs := []Range{{100000, 65536}}
	tests := []struct {
		name       string
		mode       Mode
		uid        uint32
		subU, subG []Range
		want       Mappings
	}{
		{
			name: "default", uid: 1000, subU: subs, subG: subs,
			want: Mappings{Outer: Level{
				UIDs: []IDMap{{0, 1000, 1}, {1, 100000, 65536}},
				GIDs: []IDMap{{0, 1000, 1}, {1, 100000, 65536}},
			}},
		},
		{
			name: "two ranges laid end to end", uid: 1000, subU: []Range{{100000, 10}, {200000, 5}}, subG: subs,
			want: Mappings{Outer: Level{
				UIDs: []IDMap{{0, 1000, 1}, {1, 100000, 10}, {11, 200000, 5}},
				GIDs: []IDMap{{0, 1000, 1}, {1, 100000, 65536}},
			}},
		},
		{
			name: "no subuids falls back to one id", uid: 1000, subG: subs,
			want: Mappings{Outer: Level{UIDs: []IDMap{{0, 1000, 1}}, GIDs: []IDMap{{0, 1000, 1}}}, Single: true},
		},
		{
			name: "keep-id nests a map that puts the caller at its own id", mode: ModeKeepID, uid: 1000, subU: subs, subG: subs,
			want: Mappings{
				Outer: Level{
					UIDs: []IDMap{{0, 1000, 1}, {1, 100000, 65536}},
					GIDs: []IDMap{{0, 1000, 1}, {1, 100000, 65536}},
				},
				Inner: &Level{
					UIDs: []IDMap{{0, 1, 1000}, {1000, 0, 1}, {1001, 1001, 64536}},
					GIDs: []IDMap{{0, 1, 1000}, {1000, 0, 1}, {1001, 1001, 64536}},
				},
			},
		},
		{
			name: "keep-id without subuids", mode: ModeKeepID, uid: 1000,
			want: Mappings{
				Outer:  Level{UIDs: []IDMap{{0, 1000, 1}}, GIDs: []IDMap{{0, 1000, 1}}},
				Inner:  &Level{UIDs: []IDMap{{1000, 0, 1}}, GIDs: []IDMap{{1000, 0, 1}}},
				Single: true,
			},
		},
		{
			name: "root gets the identity", uid: 0, mode: ModeKeepID,
			want: Mappings{Outer: Level{UIDs: identity, GIDs: identity}, Privileged: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compute(tt.mode, tt.uid, tt.uid, tt.subU, tt.subG)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestContains(t *testing.T) {
	maps := []IDMap{{0, 1000, 1}, {1, 100000, 65536}}
	for id, want := range map[uint32]bool{0: true, 1: true, 65536: true, 65537: false} {
		if got := Contains(maps, id); got != want {
			t.Errorf("Contains(%d) = %v, want %v", id, got, want)
		}
	}
}

func TestArgsAndFormat(t *testing.T) {
	maps := []IDMap{{0, 1000, 1}, {1, 100000, 65536}}
	if got, want := Args(maps), []string{"0", "1000", "1", "1", "100000", "65536"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Args = %v, want %v", got, want)
	}
	if got, want := Format(maps), "0 1000 1\n1 100000 65536\n"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		maps []IDMap
		want string
	}{
		{[]IDMap{{0, 1000, 1}, {1, 100000, 65536}}, "0-65536"},
		{[]IDMap{{0, 1, 1000}, {1000, 0, 1}, {1001, 1001, 64536}}, "0-65536"},
		{[]IDMap{{1000, 0, 1}}, "1000-1000"},
		{[]IDMap{{0, 1000, 1}, {5, 100000, 10}}, "0-0, 5-14"},
	}
	for _, tt := range tests {
		if got := Describe(tt.maps); got != tt.want {
			t.Errorf("Describe(%v) = %q, want %q", tt.maps, got, tt.want)
		}
	}
}

func TestContainerLevel(t *testing.T) {
	subs := []Range{{100000, 65536}}
	def := Compute(ModeDefault, 1000, 1000, subs, subs)
	if got := def.Container(); !reflect.DeepEqual(got, def.Outer) {
		t.Errorf("default: Container() = %+v, want the outer level", got)
	}
	keep := Compute(ModeKeepID, 1000, 1000, subs, subs)
	if got := keep.Container(); !reflect.DeepEqual(got, *keep.Inner) {
		t.Errorf("keep-id: Container() = %+v, want the nested level", got)
	}
}

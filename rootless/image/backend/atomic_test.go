package backend

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"go.podman.io/storage"
)

// layers builds storage.Layers from "id:parent" pairs ("id:" for a base
// layer); childrenFirst reads only ID and Parent.
func layers(pairs ...string) []storage.Layer {
	ls := make([]storage.Layer, 0, len(pairs))
	for _, p := range pairs {
		id, parent, ok := strings.Cut(p, ":")
		if !ok || id == "" {
			panic("bad pair " + p)
		}
		ls = append(ls, storage.Layer{ID: id, Parent: parent})
	}
	return ls
}

// checkChildrenFirst asserts that order is a permutation of the layers'
// ids in which every layer comes before its parent (when the parent is in
// the list).
func checkChildrenFirst(t *testing.T, in []storage.Layer, order []string) {
	t.Helper()
	if len(order) != len(in) {
		t.Fatalf("childrenFirst returned %d ids %v for %d layers", len(order), order, len(in))
	}
	pos := make(map[string]int, len(order))
	for i, id := range order {
		if _, dup := pos[id]; dup {
			t.Fatalf("id %s appears twice in %v", id, order)
		}
		pos[id] = i
	}
	for _, l := range in {
		i, ok := pos[l.ID]
		if !ok {
			t.Fatalf("layer %s missing from %v", l.ID, order)
		}
		if j, ok := pos[l.Parent]; ok && l.Parent != "" && i > j {
			t.Errorf("layer %s comes after its parent %s in %v", l.ID, l.Parent, order)
		}
	}
}

func TestChildrenFirst(t *testing.T) {
	tests := []struct {
		name   string
		layers []storage.Layer
		// want is the exact order, for inputs whose parent relation
		// orders every pair of layers; nil when only the property holds.
		want []string
	}{
		{name: "nil", layers: nil, want: []string{}},
		{name: "empty", layers: []storage.Layer{}, want: []string{}},
		{name: "one base layer", layers: layers("a:"), want: []string{"a"}},
		{name: "chain, base first", layers: layers("a:", "b:a", "c:b", "d:c"), want: []string{"d", "c", "b", "a"}},
		{name: "chain, top first", layers: layers("d:c", "c:b", "b:a", "a:"), want: []string{"d", "c", "b", "a"}},
		{name: "chain, shuffled", layers: layers("b:a", "d:c", "a:", "c:b"), want: []string{"d", "c", "b", "a"}},
		{
			// base ← mid ← left ← leftTop, and mid ← right.
			name:   "tree with two branches",
			layers: layers("base:", "mid:base", "left:mid", "right:mid", "leftTop:left"),
		},
		{
			name:   "tree with two branches, shuffled",
			layers: layers("right:mid", "leftTop:left", "base:", "left:mid", "mid:base"),
		},
		{
			name:   "two unrelated chains interleaved",
			layers: layers("x1:", "y1:", "y2:y1", "x2:x1", "y3:y2", "x3:x2"),
		},
		{
			// The bottom of the list sits on a layer that existed before
			// (it is not being removed).
			name:   "parent not in the list",
			layers: layers("b:outside", "c:b"),
			want:   []string{"c", "b"},
		},
		{
			name:   "parent not in the list, chain shuffled",
			layers: layers("b:outside", "d:c", "c:b"),
			want:   []string{"d", "c", "b"},
		},
		{
			name:   "layers on different missing parents",
			layers: layers("p:gone1", "q:gone2", "q2:q", "p2:p", "p3:p2"),
		},
		{
			name:   "base layer next to a layer on a missing parent",
			layers: layers("root:", "orphan:gone", "onOrphan:orphan", "onRoot:root"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.layers)
			got := childrenFirst(tt.layers)
			if !slices.EqualFunc(in, tt.layers, func(a, b storage.Layer) bool { return a.ID == b.ID && a.Parent == b.Parent }) {
				t.Errorf("childrenFirst changed its input: %v, was %v", tt.layers, in)
			}
			checkChildrenFirst(t, tt.layers, got)
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("childrenFirst = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestChildrenFirstRandom checks the property on random forests given in
// random order, part of them sitting on parents outside the list.
func TestChildrenFirstRandom(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for n := 1; n <= 40; n++ {
		for round := 0; round < 10; round++ {
			ls := make([]storage.Layer, n)
			for i := range ls {
				ls[i].ID = fmt.Sprintf("l%d", i)
				switch k := r.Intn(i + 2); k {
				case i + 1:
					ls[i].Parent = "" // a base layer
				case i:
					ls[i].Parent = fmt.Sprintf("outside%d", i)
				default:
					ls[i].Parent = ls[k].ID // an earlier layer: no cycles
				}
			}
			r.Shuffle(len(ls), func(i, j int) { ls[i], ls[j] = ls[j], ls[i] })
			checkChildrenFirst(t, ls, childrenFirst(ls))
		}
	}
}

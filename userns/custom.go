package userns

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ModeNoMap maps container root to the caller's first subordinate id and
// leaves the caller's own uid and gid out of the container (podman's
// --userns=nomap).
const ModeNoMap Mode = "nomap"

// ModeAuto gives each container a range of the caller's subordinate ids
// that no other container of the mode has (podman's --userns=auto).
const ModeAuto Mode = "auto"

// Auto sizes: podman's auto_userns_min_size and auto_userns_max_size.
const (
	AutoMinSize = 1024
	AutoMaxSize = 65536
)

// maxMaps is the kernel's limit on the lines of one uid_map or gid_map.
const maxMaps = 340

// ParseMap parses one --uidmap or --gidmap value, CONTAINER:HOST:SIZE,
// where HOST counts in the caller's namespace (0 is the caller, 1 the
// first subordinate id), as podman's rootless maps do.
func ParseMap(s string) (IDMap, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return IDMap{}, fmt.Errorf("id map %q: want CONTAINER:HOST:SIZE, as 0:1:1000", s)
	}
	var n [3]uint32
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return IDMap{}, fmt.Errorf("id map %q: %q is not an id or a size", s, p)
		}
		n[i] = uint32(v)
	}
	m := IDMap{ContainerID: n[0], HostID: n[1], Size: n[2]}
	if m.Size == 0 {
		return IDMap{}, fmt.Errorf("id map %q: the size is 0", s)
	}
	if uint64(m.ContainerID)+uint64(m.Size) > 1<<32-1 || uint64(m.HostID)+uint64(m.Size) > 1<<32-1 {
		return IDMap{}, fmt.Errorf("id map %q: the range passes the last id, 4294967294", s)
	}
	return m, nil
}

// ErrNoSubordinateIDs is a custom map or nomap asked of a caller with no
// subordinate ids: there is nothing to map but the caller.
var ErrNoSubordinateIDs = errors.New("you have no subordinate ids to map: add a range to /etc/subuid and /etc/subgid")

// nest sets m's inner level to custom, once it is checked against the
// outer namespace: every host id must be one of its ids, and no two maps
// may overlap on either side (the kernel refuses both).
func (m *Mappings) nest(custom Level) error {
	if m.Privileged {
		return errors.New("--uidmap and --gidmap need rootless rl: as root, the container's ids are the host's")
	}
	if m.Single {
		return ErrNoSubordinateIDs
	}
	for _, side := range []struct {
		kind  string
		maps  []IDMap
		outer []IDMap
	}{{"uid", custom.UIDs, m.Outer.UIDs}, {"gid", custom.GIDs, m.Outer.GIDs}} {
		if err := checkNested(side.kind, side.maps, size(side.outer)); err != nil {
			return err
		}
	}
	m.Inner = &Level{UIDs: splitAt(custom.UIDs, m.Outer.UIDs), GIDs: splitAt(custom.GIDs, m.Outer.GIDs)}
	return nil
}

// splitAt splits maps where outer's ranges meet: the kernel takes a
// nested map only when each of its ranges lies in one range of the
// parent's map (0:0:1000 over an outer map of 0 and 1-65536 is written as
// 0:0:1 and 1:1:999).
func splitAt(maps, outer []IDMap) []IDMap {
	var out []IDMap
	for _, m := range maps {
		for m.Size > 0 {
			n := m.Size
			for _, o := range outer {
				if m.HostID >= o.ContainerID && m.HostID-o.ContainerID < o.Size {
					n = min(n, o.ContainerID+o.Size-m.HostID)
				}
			}
			out = append(out, IDMap{ContainerID: m.ContainerID, HostID: m.HostID, Size: n})
			m.ContainerID, m.HostID, m.Size = m.ContainerID+n, m.HostID+n, m.Size-n
		}
	}
	return out
}

func checkNested(kind string, maps []IDMap, outer uint32) error {
	if len(maps) > maxMaps {
		return fmt.Errorf("--%smap: %d maps, the kernel takes %d at most", kind, len(maps), maxMaps)
	}
	for i, a := range maps {
		if uint64(a.HostID)+uint64(a.Size) > uint64(outer) {
			return fmt.Errorf("--%smap %d:%d:%d: host ids %d-%d are not yours: you have %d (0 is you, 1-%d your subordinate ids)",
				kind, a.ContainerID, a.HostID, a.Size, a.HostID, uint64(a.HostID)+uint64(a.Size)-1, outer, outer-1)
		}
		for _, b := range maps[:i] {
			if overlaps(a.ContainerID, a.Size, b.ContainerID, b.Size) || overlaps(a.HostID, a.Size, b.HostID, b.Size) {
				return fmt.Errorf("--%smap %d:%d:%d overlaps %d:%d:%d", kind, a.ContainerID, a.HostID, a.Size, b.ContainerID, b.HostID, b.Size)
			}
		}
	}
	return nil
}

func overlaps(a, an, b, bn uint32) bool {
	return uint64(a) < uint64(b)+uint64(bn) && uint64(b) < uint64(a)+uint64(an)
}

// ToHost returns the id in the parent namespace that container id id is,
// and whether maps map it.
func ToHost(maps []IDMap, id uint32) (uint32, bool) {
	for _, m := range maps {
		if id >= m.ContainerID && id-m.ContainerID < m.Size {
			return m.HostID + (id - m.ContainerID), true
		}
	}
	return 0, false
}

// Key names l by its maps: the same maps, the same key.
func (l Level) Key() string {
	b, _ := json.Marshal(l) // plain integers: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// noMap is nomap's inner map relative to an outer namespace of n ids: all
// but the caller (outer 0), from container id 0.
func noMap(n uint32) []IDMap {
	return []IDMap{{ContainerID: 0, HostID: 1, Size: n - 1}}
}

// Auto nests --userns=auto's maps in m: want container ids, from 0, onto
// the lowest range of the caller's subordinate ids (outer ids from 1)
// that overlaps none of used, the outer ranges other auto containers have.
func (m *Mappings) Auto(want uint32, used []IDMap) error {
	if m.Privileged {
		return errors.New("--userns=auto is for rootless rl: as root, rl runs in the host's user namespace")
	}
	if m.Single {
		return fmt.Errorf("--userns=auto: %w", ErrNoSubordinateIDs)
	}
	n := min(size(m.Outer.UIDs), size(m.Outer.GIDs))
	start := FreeHostRange(used, 1, uint64(want))
	if start+uint64(want) > uint64(n) {
		return fmt.Errorf("--userns=auto: no %d of your %d subordinate ids are free of other auto containers' (hint: remove some, or ask for fewer with auto:size=N)", want, n-1)
	}
	one := []IDMap{{ContainerID: 0, HostID: uint32(start), Size: want}}
	return m.nest(Level{UIDs: one, GIDs: one})
}

// FreeHostRange is the lowest host id, from from on, at which want ids
// start that no host range of maps overlaps.
func FreeHostRange(maps []IDMap, from, want uint64) uint64 {
	start := from
	for _, m := range slices.SortedFunc(slices.Values(maps), func(a, b IDMap) int { return cmp.Compare(a.HostID, b.HostID) }) {
		if start+want <= uint64(m.HostID) {
			break
		}
		start = max(start, uint64(m.HostID)+uint64(m.Size))
	}
	return start
}

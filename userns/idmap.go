package userns

import (
	"fmt"
	"strconv"
	"strings"
)

// IDMap is one line of /proc/PID/uid_map or gid_map: Size ids starting at
// ContainerID inside the namespace are the ids from HostID in the parent
// namespace.
type IDMap struct {
	ContainerID uint32 `json:"container_id"`
	HostID      uint32 `json:"host_id"`
	Size        uint32 `json:"size"`
}

// Mode is how the container's user namespace maps the caller.
type Mode string

// The modes rl knows.
const (
	// ModeDefault maps container root to the caller and container ids 1..N
	// to the caller's subordinate ranges.
	ModeDefault Mode = ""
	// ModeKeepID makes the caller's own uid and gid appear unchanged inside.
	ModeKeepID Mode = "keep-id"
)

// Level is the uid and gid maps of one user namespace, relative to its
// parent namespace.
type Level struct {
	UIDs []IDMap `json:"uids"`
	GIDs []IDMap `json:"gids"`
}

// Mappings says how the container's user namespaces are mapped.
//
// Outer is written for the first namespace, relative to the host. It always
// maps the caller to root, because only a process that is root in its user
// namespace keeps capabilities across execve(2), and rl's child must exec
// itself once the maps are written. Inner, when set (keep-id), is the map of
// a second namespace nested in the first, relative to it, written by the
// child while it is root in the outer one.
type Mappings struct {
	Outer Level  `json:"outer"`
	Inner *Level `json:"inner,omitempty"`
	// Single is true when the caller has no subordinate ids, so only one uid
	// and one gid exist inside, and setgroups(2) is denied.
	Single bool `json:"single,omitempty"`
	// Privileged is true when rl runs as real root: maps are the identity.
	Privileged bool `json:"privileged,omitempty"`

	// newuidmap and newgidmap are the helpers' paths, found by ForCaller
	// when the maps need them, so that a missing helper is reported before
	// anything is created.
	newuidmap, newgidmap string
}

// Container is the map of the user namespace the container runs in: the
// nested one with keep-id, else the outer one. Ids inside the container
// are checked against it.
func (m Mappings) Container() Level {
	if m.Inner != nil {
		return *m.Inner
	}
	return m.Outer
}

// identity is the whole 32-bit id space mapped onto itself.
var identity = []IDMap{{ContainerID: 0, HostID: 0, Size: 4294967295}}

// Compute returns the mappings for mode, for a caller with host ids uid and
// gid and the given subordinate ranges. Real root gets the identity map.
// With no ranges for uids or gids, the mappings fall back to one id
// (Single); the caller should warn.
func Compute(mode Mode, uid, gid uint32, subUIDs, subGIDs []Range) Mappings {
	if uid == 0 {
		return Mappings{Outer: Level{UIDs: identity, GIDs: identity}, Privileged: true}
	}
	single := len(subUIDs) == 0 || len(subGIDs) == 0
	if single {
		subUIDs, subGIDs = nil, nil
	}
	m := Mappings{
		Outer:  Level{UIDs: rootMap(uid, subUIDs), GIDs: rootMap(gid, subGIDs)},
		Single: single,
	}
	switch {
	case mode == ModeKeepID:
		m.Inner = &Level{UIDs: keepIDMap(uid, size(m.Outer.UIDs)), GIDs: keepIDMap(gid, size(m.Outer.GIDs))}
	case mode == ModeNoMap && !single:
		m.Inner = &Level{UIDs: noMap(size(m.Outer.UIDs)), GIDs: noMap(size(m.Outer.GIDs))}
	}
	return m
}

// rootMap maps container root to the caller's id and lays the subordinate
// ranges end to end from container id 1.
func rootMap(id uint32, subs []Range) []IDMap {
	maps := []IDMap{{ContainerID: 0, HostID: id, Size: 1}}
	next := uint32(1)
	for _, r := range subs {
		maps = append(maps, IDMap{ContainerID: next, HostID: r.Start, Size: r.Count})
		next += r.Count
	}
	return maps
}

// keepIDMap maps, relative to an outer namespace of n ids where the caller
// is 0, the caller's id to itself: inner 0..id-1 are outer 1..id, inner id is
// outer 0, and inner ids above id are the same outer ids.
func keepIDMap(id, n uint32) []IDMap {
	if id >= n {
		// Too few subordinate ids to place the caller's id: the caller
		// alone is visible inside, as itself.
		return []IDMap{{ContainerID: id, HostID: 0, Size: 1}}
	}
	maps := []IDMap{{ContainerID: 0, HostID: 1, Size: id}, {ContainerID: id, HostID: 0, Size: 1}}
	if rest := n - id - 1; rest > 0 {
		maps = append(maps, IDMap{ContainerID: id + 1, HostID: id + 1, Size: rest})
	}
	if id == 0 {
		maps = maps[1:]
	}
	return maps
}

func size(maps []IDMap) uint32 {
	var n uint32
	for _, m := range maps {
		n += m.Size
	}
	return n
}

// Contains reports whether container id is mapped by maps.
func Contains(maps []IDMap, id uint32) bool {
	for _, m := range maps {
		if id >= m.ContainerID && id-m.ContainerID < m.Size {
			return true
		}
	}
	return false
}

// Describe renders the container side of maps as id ranges, "0-65536",
// joining adjacent ones.
func Describe(maps []IDMap) string {
	type span struct{ lo, hi uint32 }
	var spans []span
	for _, m := range maps {
		hi := m.ContainerID + m.Size - 1
		if n := len(spans); n > 0 && spans[n-1].hi+1 == m.ContainerID {
			spans[n-1].hi = hi
			continue
		}
		spans = append(spans, span{m.ContainerID, hi})
	}
	parts := make([]string, len(spans))
	for i, s := range spans {
		parts[i] = fmt.Sprintf("%d-%d", s.lo, s.hi)
	}
	return strings.Join(parts, ", ")
}

// Format renders maps in the /proc/PID/uid_map format, one line per map.
func Format(maps []IDMap) string {
	var b strings.Builder
	for _, m := range maps {
		fmt.Fprintf(&b, "%d %d %d\n", m.ContainerID, m.HostID, m.Size)
	}
	return b.String()
}

// Args renders maps as the arguments newuidmap(1) takes after the pid.
func Args(maps []IDMap) []string {
	args := make([]string, 0, 3*len(maps))
	for _, m := range maps {
		args = append(args, strconv.FormatUint(uint64(m.ContainerID), 10),
			strconv.FormatUint(uint64(m.HostID), 10), strconv.FormatUint(uint64(m.Size), 10))
	}
	return args
}

// HostMapped reports whether the host ids uid and gid both have a name
// in m's outer namespace: container root may then act on a file they
// own (capabilities(7): CAP_DAC_OVERRIDE and CAP_FOWNER apply only to
// inodes whose ids are mapped). Real root's identity map has them all.
func (m Mappings) HostMapped(uid, gid uint32) bool {
	return m.Privileged || HostContains(m.Outer.UIDs, uid) && HostContains(m.Outer.GIDs, gid)
}

// hostContains reports whether host id is mapped by maps.
func HostContains(maps []IDMap, id uint32) bool {
	for _, m := range maps {
		if id >= m.HostID && id-m.HostID < m.Size {
			return true
		}
	}
	return false
}

package rootless

import (
	"bytes"
	"strconv"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/rootless/user"
	"github.com/rl-containers/rl/userns"
)

// autoMaps nests a --userns=auto container's maps in maps, the
// caller's, and records them (opts.IDMaps): a range of the caller's
// subordinate ids that no other auto container of the store has, of
// auto:size=N ids or as many as the image's /etc/passwd and /etc/group
// need (at least 1024), as podman sizes it. The ranges are read and the
// container made under the store's userns-auto lock, which the caller
// releases once the record is saved.
func (e *Engine) autoMaps(opts *config.Container, img *spec.Image, maps *userns.Mappings) (func(), error) {
	unlock, err := e.Store.LockNamed("userns-auto")
	if err != nil {
		return nil, err
	}
	if err := e.pickAuto(opts, img, maps); err != nil {
		unlock()
		return nil, err
	}
	opts.IDMaps = maps.Inner
	return unlock, nil
}

// pickAuto nests the maps of autoMaps in maps.
func (e *Engine) pickAuto(opts *config.Container, img *spec.Image, maps *userns.Mappings) error {
	size := opts.UsernsSize
	if size == 0 {
		size = imageIDs(img.Layers)
	}
	states, err := e.Store.List()
	if err != nil {
		return err
	}
	var used []userns.IDMap
	for _, st := range states {
		r, err := (&store.Container{Store: e.Store, State: st}).Record()
		if err == nil && r.Options.Userns == userns.ModeAuto && r.Options.IDMaps != nil {
			used = append(used, r.Options.IDMaps.UIDs...)
		}
	}
	return maps.Auto(size, used)
}

const nobody = 65534

// imageIDs is how many ids the image's users and groups need: one more
// than the highest id that its /etc/passwd and /etc/group name but
// nobody's, within podman's auto sizes.
func imageIDs(layers []string) uint32 {
	var highest uint64
	for _, path := range []string{"/etc/passwd", "/etc/group"} {
		b, err := user.ReadFile(layers, path)
		if err != nil {
			continue
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			fields := bytes.Split(line, []byte(":"))
			if len(fields) < 3 {
				continue
			}
			// nobody (65534) does not count, as in containers/storage.
			if id, err := strconv.ParseUint(string(fields[2]), 10, 32); err == nil && id < userns.AutoMaxSize && id != nobody {
				highest = max(highest, id)
			}
		}
	}
	return uint32(min(max(highest+1, userns.AutoMinSize), userns.AutoMaxSize))
}

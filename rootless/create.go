package rootless

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// launch is what starting a container needs: saved with it (config.json)
// at creation, so that rl start and a detached monitor can start it.
type launch struct {
	Options RunOptions  `json:"options"`
	Image   *spec.Image `json:"image"`
	Spec    *spec.Spec  `json:"spec"`
}

// create checks opts, resolves the image and the user, and makes the
// container in the store with its launch and a created state; it returns
// the maps it computed too.
func create(opts RunOptions, store Store) (*container, *launch, userns.Mappings, error) {
	if err := opts.validate(); err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	pod, err := opts.joinPod(store)
	if err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	img, err := opts.rootfs(store)
	if err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	args := opts.args(img.Config)
	if len(args) == 0 || args[0] == "" {
		return nil, nil, userns.Mappings{}, errors.New("no command given: the image has none either; add COMMAND after the image or root filesystem")
	}
	maps, warning, err := userns.ForCaller(opts.Userns)
	if err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	if warning != "" && pod.ID == "" {
		slog.Warn(warning)
	}
	userSpec := opts.User
	if userSpec == "" {
		userSpec = img.Config.User
	}
	if userSpec == "" && opts.Userns == userns.ModeKeepID {
		// keep-id runs as the caller by default, as podman does.
		userSpec = fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid())
	}
	user, home, err := resolveUser(img.Layers, userSpec)
	if err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	inner := maps.Container()
	user.AdditionalGIDs = mappedGroups(user.AdditionalGIDs, inner, maps.Single)
	if err := checkMapped(user, inner); err != nil {
		return nil, nil, userns.Mappings{}, fmt.Errorf("invalid --user %q: %w; use a smaller id or give yourself more subordinate ids in /etc/subuid and /etc/subgid", userSpec, err)
	}
	if _, err := initPath(); err != nil {
		return nil, nil, userns.Mappings{}, err
	}
	c, unlock, err := store.create(opts.Name)
	if err != nil {
		return nil, nil, maps, err
	}
	defer unlock()
	c.state.Rootfs, c.state.Image, c.state.ImageID, c.state.Command = opts.Rootfs, opts.Image, img.ID, args
	c.state.Pod, c.state.PodID = pod.Name, pod.ID
	l := &launch{Options: opts, Image: img, Spec: c.spec(opts, img, args, user, home, maps)}
	if err := c.saveLaunch(l); err != nil {
		c.remove()
		return nil, nil, maps, err
	}
	crashpoint("created")
	return c, l, maps, nil
}

// start runs the container made by create with maps and supervises it
// until it exits, with its stdio connected as st says.
func (c *container) start(l *launch, maps userns.Mappings, st streams, preserved []*os.File) (int, error) {
	s := *l.Spec // the /etc mounts are added per start
	return c.prepareAndRun(&s, l.Image, maps, l.Options, st, preserved)
}

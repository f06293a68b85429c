package rootless

import (
	"github.com/rl-containers/rl/rootless/spec"
)

// InspectMount is one volume or bind of `rl inspect`'s .Mounts, with
// podman's fields. A tmpfs is not one, as in podman.
type InspectMount struct {
	Type        string   `json:"Type"` // volume or bind
	Name        string   `json:"Name,omitempty"`
	Source      string   `json:"Source"`
	Destination string   `json:"Destination"`
	Driver      string   `json:"Driver"`
	Mode        string   `json:"Mode"`
	Options     []string `json:"Options"`
	RW          bool     `json:"RW"`
	Propagation string   `json:"Propagation"`
}

// inspectMounts is podman's .Mounts of the spec's mounts.
func inspectMounts(mounts []spec.Mount) []InspectMount {
	out := []InspectMount{}
	for _, m := range mounts {
		if m.Kind != spec.Bind {
			continue
		}
		im := InspectMount{Type: "bind", Source: m.Source, Destination: m.Destination, Options: []string{"rbind"}, RW: !m.ReadOnly, Propagation: "rprivate"}
		if m.Volume != "" {
			im.Type, im.Name, im.Driver = "volume", m.Volume, "local"
			im.Options = []string{"nosuid", "nodev", "rbind"}
		}
		if m.ReadOnly {
			im.Options = append(im.Options, "ro")
		}
		out = append(out, im)
	}
	return out
}

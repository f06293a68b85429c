package config

import "github.com/rl-containers/rl/rootless/spec"

// Record is what starting a container needs, saved with it (config.json)
// when it is created, so that rl start and a detached monitor can start
// it: the options it was made with, its image and rl-init's spec (to
// which each start adds the /etc files).
type Record struct {
	Options Container   `json:"options"`
	Image   *spec.Image `json:"image"`
	Spec    *spec.Spec  `json:"spec"`
}

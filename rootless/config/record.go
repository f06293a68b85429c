package config

import (
	"encoding/json"

	"github.com/rl-containers/rl/rootless/spec"
)

// Record is what starting a container needs, saved with it (config.json)
// when it is created, so that rl start and a detached monitor can start
// it: the options it was made with, its image and rl-init's spec (to
// which each start adds the /etc files).
type Record struct {
	Options Container   `json:"options"`
	Image   *spec.Image `json:"image"`
	Spec    *spec.Spec  `json:"spec"`
}

// WarmCodec builds encoding/json's encoders and field tables of a record,
// for a process that is about to write or read one and has time to spare
// meanwhile (in a goroutine): the first Marshal or Unmarshal of a type
// walks the types of all its fields, hundreds for a record, which takes
// about a millisecond of a start. encoding/json caches them per process,
// and may build them concurrently.
func WarmCodec() {
	_, _ = json.Marshal(&Record{Image: &spec.Image{}, Spec: &spec.Spec{}})
}

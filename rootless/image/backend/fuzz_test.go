package backend

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/rl-containers/rl/rootless/spec"
)

// FuzzImageConfig fuzzes an image's OCI configuration (the config blob a
// registry or an archive serves, decoded as containers/image decodes it)
// through imageConfig to the spec.ImageConfig that rl-image hands the
// front end. Every field rl run uses arrives unchanged, the exposed ports
// once each in order, and the front end decodes what rl-image encodes to
// the same value.
func FuzzImageConfig(f *testing.F) {
	f.Fuzz(func(t *testing.T, blob []byte) {
		var oci imgspecv1.Image
		if err := json.Unmarshal(blob, &oci); err != nil {
			return
		}
		c := oci.Config
		got := imageConfig(c)
		if !slices.IsSorted(got.ExposedPorts) || len(slices.Compact(slices.Clone(got.ExposedPorts))) != len(c.ExposedPorts) {
			t.Fatalf("exposed ports %q from %v", got.ExposedPorts, c.ExposedPorts)
		}
		for _, p := range got.ExposedPorts {
			if _, ok := c.ExposedPorts[p]; !ok {
				t.Fatalf("exposed port %q is not the image's", p)
			}
		}
		if !reflect.DeepEqual(got.Entrypoint, c.Entrypoint) || !reflect.DeepEqual(got.Cmd, c.Cmd) || !reflect.DeepEqual(got.Env, c.Env) ||
			got.WorkingDir != c.WorkingDir || got.User != c.User || got.StopSignal != c.StopSignal {
			t.Fatalf("%+v converts to %+v", c, got)
		}

		b, err := json.Marshal(spec.Image{Config: got})
		if err != nil {
			t.Fatalf("encoding %+v: %v", got, err)
		}
		var front spec.Image
		if err := json.Unmarshal(b, &front); err != nil {
			t.Fatalf("the front end cannot decode %s: %v", b, err)
		}
		if want := emptyToNil(got); !reflect.DeepEqual(front.Config, want) {
			t.Fatalf("rl-image sends %+v, the front end reads %+v", want, front.Config)
		}
	})
}

// emptyToNil is c with its empty lists nil, as a JSON round trip leaves
// them (omitempty): to rl run an empty entrypoint is no entrypoint.
func emptyToNil(c spec.ImageConfig) spec.ImageConfig {
	for _, l := range []*[]string{&c.Entrypoint, &c.Cmd, &c.Env, &c.ExposedPorts} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	return c
}

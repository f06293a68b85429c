package image

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/failure"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
)

// FuzzAnswer fuzzes rl-image's answer as the front end reads it from
// rl-image's stdout (Client.run): the JSON decode into spec.ImageAnswer,
// answerError, and -P's reading of the image's exposed ports. What decodes
// encodes to a fixed point (rl inspect and the container's record write
// it out again), the error keeps its cause and errno, and an exposed port
// that parses is a container port to publish on a host port chosen later.
func FuzzAnswer(f *testing.F) {
	f.Fuzz(func(t *testing.T, out []byte) {
		a := &spec.ImageAnswer{}
		if err := json.Unmarshal(out, a); err != nil {
			return
		}
		b1, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("%+v decodes but does not encode: %v", a, err)
		}
		a2 := &spec.ImageAnswer{}
		if err := json.Unmarshal(b1, a2); err != nil {
			t.Fatalf("re-encoded %s does not decode: %v", b1, err)
		}
		if b2, err := json.Marshal(a2); err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("encoded %s, then %s (%v)", b1, b2, err)
		}

		err = answerError(a)
		if (err == nil) != (a.Error == nil) {
			t.Fatalf("answer error %+v, answerError %v", a.Error, err)
		}
		if a.Error != nil {
			if errors.Is(err, ErrNotFound) != (a.Error.Cause == failure.NotFound) {
				t.Fatalf("cause %q, errors.Is(ErrNotFound) %t", a.Error.Cause, errors.Is(err, ErrNotFound))
			}
			if a.Error.Cause != "" && !errors.Is(err, a.Error.Cause) {
				t.Fatalf("%v lost its cause %q", err, a.Error.Cause)
			}
			if e := a.Error.Errno; e != 0 && !errors.Is(err, unix.Errno(e)) {
				t.Fatalf("%v lost its errno %d", err, e)
			}
		}

		if a.Image == nil {
			return
		}
		for _, p := range a.Image.Config.ExposedPorts {
			ms, err := network.ExposedPorts(p)
			if err != nil {
				continue
			}
			if len(ms) == 0 {
				t.Fatalf("exposed port %q: no mapping", p)
			}
			for _, m := range ms {
				if m.HostPort != 0 || m.HostIP != "" || m.ContainerPort < 1 || m.ContainerPort > 65535 || (m.Proto != "tcp" && m.Proto != "udp") {
					t.Fatalf("exposed port %q: mapping %+v", p, m)
				}
			}
		}
	})
}

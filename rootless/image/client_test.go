package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/failure"
	"github.com/rl-containers/rl/rootless/spec"
)

// answer is rl-image's answer with the failure of err, as it reads it
// from rl-image's stdout.
func answer(t *testing.T, err error, cause failure.Cause) *spec.ImageAnswer {
	t.Helper()
	b, jerr := json.Marshal(spec.ImageAnswer{Error: failure.New(err, cause)})
	if jerr != nil {
		t.Fatal(jerr)
	}
	a := &spec.ImageAnswer{}
	if jerr := json.Unmarshal(b, a); jerr != nil {
		t.Fatal(jerr)
	}
	return a
}

func TestAnswerError(t *testing.T) {
	if err := answerError(&spec.ImageAnswer{ID: "x"}); err != nil {
		t.Errorf("an answer without error: %v", err)
	}

	err := answerError(answer(t, errors.New("image not known: docker.io/library/nosuch:latest"), failure.NotFound))
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, failure.NotFound) {
		t.Errorf("not found: %v is not ErrNotFound", err)
	}
	if want := "image not in the store: image not known: docker.io/library/nosuch:latest"; err.Error() != want {
		t.Errorf("not found: %q, want %q", err, want)
	}

	full := fmt.Errorf("pulling x: writing blob: adding layer: %w", unix.ENOSPC)
	err = answerError(answer(t, full, failure.DiskFull))
	if !errors.Is(err, failure.DiskFull) || !errors.Is(err, unix.ENOSPC) || errors.Is(err, ErrNotFound) {
		t.Errorf("disk full: %v lost its cause or errno", err)
	}
	if err.Error() != full.Error() {
		t.Errorf("disk full: %q, want rl-image's %q", err, full)
	}
}

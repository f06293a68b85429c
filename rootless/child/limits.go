package child

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

// setRlimits sets the spec's resource limits. RLIM_INFINITY stands for
// the current hard limit, and a Clamp limit is lowered to it: raising a
// hard limit needs CAP_SYS_RESOURCE in the initial user namespace
// (setrlimit(2)), which no capability of ours is.
func setRlimits(limits []spec.Rlimit) error {
	for _, l := range limits {
		var cur unix.Rlimit
		if err := unix.Getrlimit(l.Resource, &cur); err != nil {
			return fmt.Errorf("reading %s: %w", l.Type, err)
		}
		soft, hard := l.Soft, l.Hard
		if soft == unix.RLIM_INFINITY || (l.Clamp && soft > cur.Max) {
			soft = cur.Max
		}
		if hard == unix.RLIM_INFINITY || (l.Clamp && hard > cur.Max) {
			hard = cur.Max
		}
		err := unix.Setrlimit(l.Resource, &unix.Rlimit{Cur: soft, Max: hard})
		if errors.Is(err, unix.EPERM) && hard > cur.Max {
			// Not the user namespace's doing (the errno would bring
			// that hint): the limit is beyond the caller's own.
			return fmt.Errorf("setting %s to %d:%d: an unprivileged user cannot raise a hard limit, here %d (use at most that, or -1)", l.Type, soft, hard, cur.Max)
		}
		if err != nil {
			return fmt.Errorf("setting %s to %d:%d: %w", l.Type, soft, hard, err)
		}
	}
	return nil
}

// setOOMScoreAdj writes the spec's oom_score_adj, when it has one.
func setOOMScoreAdj(adj *int) error {
	if adj == nil {
		return nil
	}
	return os.WriteFile("/proc/self/oom_score_adj", []byte(strconv.Itoa(*adj)), 0)
}

// WorkdirError is a --workdir that the container's root filesystem does
// not have as a directory; the start fails with 126, as podman's.
type WorkdirError struct {
	Dir, ID string
	Exists  bool
}

func (e *WorkdirError) Error() string {
	if e.Exists {
		return fmt.Sprintf("workdir %q exists on container %s, but is not a directory", e.Dir, e.ID)
	}
	return fmt.Sprintf("workdir %q does not exist on container %s", e.Dir, e.ID)
}

// checkWorkdir fails with a WorkdirError when s.Cwd is not a directory of
// the root filesystem (its mounts made).
func checkWorkdir(root string, s *spec.Spec) error {
	full, err := securejoin.SecureJoin(root, s.Cwd)
	if err != nil {
		return err
	}
	fi, err := os.Stat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &WorkdirError{Dir: s.Cwd, ID: s.ID}
	case err != nil:
		return err
	case !fi.IsDir():
		return &WorkdirError{Dir: s.Cwd, ID: s.ID, Exists: true}
	}
	return nil
}

// writeContainerEnv creates /run/.containerenv, which tells programs that
// they run in a container (podman's file; with --privileged it names the
// container), unless /run is a bind mount, which it would write into.
func writeContainerEnv(root string, s *spec.Spec) error {
	for _, m := range s.Mounts {
		if m.Kind == spec.Bind && filepath.Clean(m.Destination) == "/run" {
			return nil
		}
	}
	if err := mkdirInRoot(root, "/run"); err != nil {
		return fmt.Errorf("creating /run: %w", err)
	}
	full, err := securejoin.SecureJoin(root, "/run/.containerenv")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return fmt.Errorf("creating /run/.containerenv: %w", err)
	}
	_, err = f.WriteString(s.ContainerEnv)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

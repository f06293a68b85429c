package monitor

import (
	"bytes"
	"fmt"
	"os"
	osuser "os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/rootless/user"
)

// addKeepIDUser gives a --userns=keep-id container an /etc/passwd entry
// for the caller (and an /etc/group entry for the caller's group) when
// its image has none for those ids, as podman does: NAME:*:UID:GID::HOME:
// /bin/sh, HOME the caller's home when a mount puts it in the container,
// else the working directory. The files are written into the container's
// upper layer before its overlay is mounted, so that they stay ordinary
// files the container may change (adduser renames a new passwd over the
// old, which a bind-mounted file would refuse). It returns the home, ""
// when the image has an entry already.
func addKeepIDUser(c *store.Container, s *spec.Spec, mounts []spec.Mount) (string, error) {
	uid, gid := os.Getuid(), os.Getgid()
	u, err := osuser.Current()
	if err != nil {
		return "", fmt.Errorf("looking up the caller for keep-id: %w", err)
	}
	home := s.Cwd
	if slices.ContainsFunc(mounts, func(m spec.Mount) bool { return m.Destination == u.HomeDir }) {
		home = u.HomeDir
	}
	if home == "" {
		home = "/"
	}
	layers := append([]string{c.Upper()}, s.Rootfs.Lower...)
	added, err := addEntry(c, layers, "/etc/passwd", uid, fmt.Sprintf("%s:*:%d:%d::%s:/bin/sh", u.Username, uid, gid, home))
	if err != nil || !added {
		return "", err
	}
	s.Rootfs.Written = append(s.Rootfs.Written, "etc", "etc/passwd")
	group := u.Username
	if g, err := osuser.LookupGroupId(strconv.Itoa(gid)); err == nil {
		group = g.Name
	}
	if added, err = addEntry(c, layers, "/etc/group", gid, fmt.Sprintf("%s:x:%d:%s", group, gid, u.Username)); added {
		s.Rootfs.Written = append(s.Rootfs.Written, "etc/group")
	}
	return home, err
}

// addEntry appends line to the container's file path (/etc/passwd or
// /etc/group, as layers have it) in its upper layer unless an entry has
// the id already (the third field); it tells whether it did.
func addEntry(c *store.Container, layers []string, path string, id int, line string) (bool, error) {
	old, err := user.ReadFile(layers, path)
	if err != nil {
		return false, err
	}
	for _, l := range strings.Split(string(old), "\n") {
		if f := strings.Split(l, ":"); len(f) > 2 && f[2] == strconv.Itoa(id) {
			return false, nil
		}
	}
	if len(old) > 0 && !bytes.HasSuffix(old, []byte("\n")) {
		old = append(old, '\n')
	}
	dst := filepath.Join(c.Upper(), path)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return false, fmt.Errorf("adding the keep-id user to %s: %w", path, err)
	}
	if err := os.WriteFile(dst, append(old, line+"\n"...), 0o644); err != nil {
		return false, fmt.Errorf("adding the keep-id user to %s: %w", path, err)
	}
	return true, nil
}

// keepIDHome sets HOME to home in the spec's environment, unless the
// container was given one (-e HOME=...).
func keepIDHome(s *spec.Spec, o config.Container, home string) {
	if home == "" || slices.ContainsFunc(o.Env, func(kv string) bool { return strings.HasPrefix(kv, "HOME=") }) {
		return
	}
	s.Env = config.MergeEnv(s.Env, []string{"HOME=" + home})
}

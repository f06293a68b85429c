// Package user resolves a container's user (a name or id, with a group)
// against the /etc/passwd and /etc/group of its root filesystem, as the
// front end sees its layers, without running anything in the container.
package user

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"

	"github.com/rl-containers/rl/rootless/spec"
)

// Resolve turns a user spec (name, uid, name:group, uid:gid, and mixes)
// into ids, the way docker does: names are looked up in the container's
// /etc/passwd and /etc/group, a numeric uid needs no entry, and
// supplementary groups come from /etc/group. It also returns the user's
// home directory for HOME.
//
// moby/sys/user parses the files; the resolution is rl's own rather than
// its GetExecUser, which differs from rl's rules where they are tested:
// it takes any integer for an id and refuses those above 2^31-1 (rl takes
// a uint32, and anything else for a name), it lists the primary group
// among the supplementary ones, and it has no "/root" for a root without
// an entry.
func Resolve(layers []string, value string) (spec.User, string, error) {
	u, home, err := resolve(layers, value)
	if err != nil {
		return spec.User{}, "", fmt.Errorf("resolving user %q: %w", value, err)
	}
	return u, home, nil
}

func resolve(layers []string, value string) (spec.User, string, error) {
	userPart, groupPart, hasGroup := strings.Cut(value, ":")
	if userPart == "" {
		userPart = "0"
	}
	if hasGroup && groupPart == "" {
		return spec.User{}, "", errors.New("empty group; want USER[:GROUP]")
	}
	users := readRootfsFile(layers, "/etc/passwd", parsePasswd)
	groups := readRootfsFile(layers, "/etc/group", parseGroup)

	u := spec.User{}
	home := "/"
	name := ""
	if id, ok := parseID(userPart); ok {
		u.UID = id
		if i := slices.IndexFunc(users, func(e user.User) bool { return uint32(e.Uid) == id }); i >= 0 {
			u.GID, home, name = uint32(users[i].Gid), users[i].Home, users[i].Name
		}
	} else {
		i := slices.IndexFunc(users, func(e user.User) bool { return e.Name == userPart })
		if i < 0 {
			return spec.User{}, "", fmt.Errorf("no user %q in the container's /etc/passwd; use a numeric uid or a user the image has", userPart)
		}
		u.UID, u.GID, home, name = uint32(users[i].Uid), uint32(users[i].Gid), users[i].Home, users[i].Name
	}
	if hasGroup {
		gid, err := lookupGroup(groups, groupPart)
		if err != nil {
			return spec.User{}, "", err
		}
		u.GID = gid
	} else if name != "" {
		for _, g := range groups {
			if uint32(g.Gid) != u.GID && slices.Contains(g.List, name) {
				u.AdditionalGIDs = append(u.AdditionalGIDs, uint32(g.Gid))
			}
		}
	}
	if u.UID == 0 && home == "/" && name == "" {
		home = "/root"
	}
	return u, home, nil
}

func lookupGroup(groups []user.Group, g string) (uint32, error) {
	if id, ok := parseID(g); ok {
		return id, nil
	}
	if i := slices.IndexFunc(groups, func(e user.Group) bool { return e.Name == g }); i >= 0 {
		return uint32(groups[i].Gid), nil
	}
	return 0, fmt.Errorf("no group %q in the container's /etc/group; use a numeric gid or a group the image has", g)
}

// parseID reads a decimal uid or gid, 0 to 2^32-1.
func parseID(s string) (uint32, bool) {
	id, err := strconv.ParseUint(s, 10, 32)
	return uint32(id), err == nil
}

// parsePasswd parses /etc/passwd. moby/sys/user reads the fields; only
// well-formed lines reach it (see wellFormed), as glibc skips the others.
func parsePasswd(r io.Reader) []user.User {
	users, err := user.ParsePasswd(wellFormed(r, 7, 2, 3))
	if err != nil || len(users) == 0 {
		return nil
	}
	return users
}

// parseGroup parses /etc/group, as parsePasswd does /etc/passwd.
func parseGroup(r io.Reader) []user.Group {
	groups, err := user.ParseGroup(wellFormed(r, 4, 2))
	if err != nil || len(groups) == 0 {
		return nil
	}
	return groups
}

// wellFormed returns the lines of r that have at least n colon-separated
// fields, the fields at ids (counted from 0) decimal ids that fit 32 bits,
// and that are not comments. moby/sys/user's parsers take what they are
// given, a bad id as 0 and a comment in /etc/passwd as a user: an entry
// that could then match uid 0.
func wellFormed(r io.Reader, n int, ids ...int) io.Reader {
	var out bytes.Buffer
	sc := bufio.NewScanner(r)
	// A group's member list may be long; moby/sys/user reads lines of up
	// to 1 MiB too.
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		f := bytes.SplitN(line, []byte(":"), n)
		if len(f) < n || slices.ContainsFunc(ids, func(i int) bool { _, ok := parseID(string(f[i])); return !ok }) {
			continue
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	return &out
}

// readRootfsFile parses a file of the root filesystem: from the top-most
// layer that has it, resolving symlinks inside that layer, so that an
// image's /etc/passwd cannot point at a host file. A missing file parses
// as empty. (A file deleted by a whiteout in a higher layer is still read
// from below: a rare image quirk that only affects name lookups.)
func readRootfsFile[T any](layers []string, path string, parse func(io.Reader) []T) []T {
	for _, layer := range layers {
		p, err := securejoin.SecureJoin(layer, path)
		if err != nil {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		defer f.Close()
		return parse(f)
	}
	return nil
}

// Package user resolves a container's --user (a name or id, with a group)
// against the /etc/passwd and /etc/group of its root filesystem, as the
// front end sees its layers, without running anything in the container.
package user

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"

	"github.com/rl-containers/rl/rootless/spec"
)

// passwdEntry is one line of /etc/passwd, the fields rl uses.
type passwdEntry struct {
	name     string
	uid, gid uint32
	home     string
}

// groupEntry is one line of /etc/group.
type groupEntry struct {
	name    string
	gid     uint32
	members []string
}

func parsePasswd(r io.Reader) []passwdEntry {
	var out []passwdEntry
	for _, f := range colonLines(r, 7) {
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 == nil && err2 == nil {
			out = append(out, passwdEntry{name: f[0], uid: uint32(uid), gid: uint32(gid), home: f[5]})
		}
	}
	return out
}

func parseGroup(r io.Reader) []groupEntry {
	var out []groupEntry
	for _, f := range colonLines(r, 4) {
		gid, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			continue
		}
		var members []string
		if f[3] != "" {
			members = strings.Split(f[3], ",")
		}
		out = append(out, groupEntry{name: f[0], gid: uint32(gid), members: members})
	}
	return out
}

// colonLines splits the non-comment lines of r into n colon-separated
// fields, skipping lines with fewer.
func colonLines(r io.Reader, n int) [][]string {
	var out [][]string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if f := strings.SplitN(line, ":", n); len(f) == n {
			out = append(out, f)
		}
	}
	return out
}

// Resolve turns a --user value (name, uid, name:group, uid:gid, and
// mixes) into ids, the way docker does: names are looked up in the
// container's /etc/passwd and /etc/group, a numeric uid needs no entry,
// and supplementary groups come from /etc/group. It also returns the
// user's home directory for HOME.
func Resolve(layers []string, value string) (spec.User, string, error) {
	userPart, groupPart, hasGroup := strings.Cut(value, ":")
	if userPart == "" {
		userPart = "0"
	}
	if hasGroup && groupPart == "" {
		return spec.User{}, "", fmt.Errorf("invalid --user %q: empty group; want USER[:GROUP]", value)
	}
	users := readRootfsFile(layers, "/etc/passwd", parsePasswd)
	groups := readRootfsFile(layers, "/etc/group", parseGroup)

	u := spec.User{}
	home := "/"
	name := ""
	if id, err := strconv.ParseUint(userPart, 10, 32); err == nil {
		u.UID = uint32(id)
		for _, e := range users {
			if e.uid == u.UID {
				u.GID, home, name = e.gid, e.home, e.name
				break
			}
		}
	} else {
		found := false
		for _, e := range users {
			if e.name == userPart {
				u.UID, u.GID, home, name, found = e.uid, e.gid, e.home, e.name, true
				break
			}
		}
		if !found {
			return spec.User{}, "", fmt.Errorf("invalid --user %q: no user %q in the container's /etc/passwd; use a numeric uid or a user the image has", value, userPart)
		}
	}
	if hasGroup {
		gid, err := lookupGroup(groups, groupPart)
		if err != nil {
			return spec.User{}, "", fmt.Errorf("invalid --user %q: %w", value, err)
		}
		u.GID = gid
	} else if name != "" {
		for _, g := range groups {
			if g.gid != u.GID && slices.Contains(g.members, name) {
				u.AdditionalGIDs = append(u.AdditionalGIDs, g.gid)
			}
		}
	}
	if u.UID == 0 && home == "/" && name == "" {
		home = "/root"
	}
	return u, home, nil
}

func lookupGroup(groups []groupEntry, g string) (uint32, error) {
	if id, err := strconv.ParseUint(g, 10, 32); err == nil {
		return uint32(id), nil
	}
	for _, e := range groups {
		if e.name == g {
			return e.gid, nil
		}
	}
	return 0, fmt.Errorf("no group %q in the container's /etc/group; use a numeric gid or a group the image has", g)
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

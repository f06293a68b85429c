package userns

import (
	"errors"
	"fmt"
	"os"
	"os/user"
)

// ForCaller computes the mappings for the calling user in mode, reading the
// subordinate id files (or RL_SUBUID_FILE / RL_SUBGID_FILE). When the caller
// has no ranges it falls back to a one-id map and returns a warning for the
// user.
//
// custom, when not nil, is the container's own maps (--uidmap, --gidmap),
// relative to the caller's namespace: they nest as keep-id's do, once
// checked against the caller's ids.
func ForCaller(mode Mode, custom *Level) (m Mappings, warning string, err error) {
	uid, gid := uint32(os.Getuid()), uint32(os.Getgid())
	if uid == 0 {
		m = Compute(mode, 0, 0, nil, nil)
		if custom != nil {
			err = m.nest(*custom)
		} else if mode == ModeNoMap {
			err = errors.New("--userns=nomap is only for rootless rl: as root there is no caller to leave out")
		}
		return m, "", err
	}
	name := ""
	if u, err := user.LookupId(fmt.Sprint(uid)); err == nil {
		name = u.Username
	}
	subuid, subgid := SubUIDPath(), SubGIDPath()
	subUIDs, err := ReadSubIDs(subuid, name, uid)
	if err != nil {
		return m, "", err
	}
	subGIDs, err := ReadSubIDs(subgid, name, uid)
	if err != nil {
		return m, "", err
	}
	m = Compute(mode, uid, gid, subUIDs, subGIDs)
	switch {
	case custom != nil:
		if err := m.nest(*custom); err != nil {
			return m, "", err
		}
	case mode == ModeNoMap && m.Single:
		return m, "", fmt.Errorf("--userns=nomap: %w", ErrNoSubordinateIDs)
	}
	if !m.Single {
		if m.newuidmap, err = lookHelper("newuidmap"); err != nil {
			return m, "", err
		}
		if m.newgidmap, err = lookHelper("newgidmap"); err != nil {
			return m, "", err
		}
	}
	if m.Single {
		who := name
		if who == "" {
			who = fmt.Sprint(uid)
		}
		warning = singleWarning(who, subuid, subgid, UsermodCommand(subuid, subgid, who, SuggestCount))
	}
	return m, warning, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// singleWarning is ForCaller's warning for a caller without subordinate
// ids: it names the files rl read and the fix, a range free in both.
// usermod writes /etc/subuid and /etc/subgid, which newuidmap reads; when
// rl reads other files (RL_SUBUID_FILE, RL_SUBGID_FILE), the same lines
// must go there too.
func singleWarning(who, subuid, subgid, fix string) string {
	w := fmt.Sprintf("no subordinate ids for %s in %s and %s: "+
		"the container has one uid and one gid (others show as nobody, chown fails); fix: %s", who, subuid, subgid, fix)
	if subuid != SubUIDFile || subgid != SubGIDFile {
		w += fmt.Sprintf(", and add the same ranges to %s and %s, which rl reads (RL_SUBUID_FILE, RL_SUBGID_FILE)", subuid, subgid)
	}
	return w
}

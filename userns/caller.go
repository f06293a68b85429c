package userns

import (
	"fmt"
	"os"
	"os/user"
)

// ForCaller computes the mappings for the calling user in mode, reading the
// subordinate id files (or RL_SUBUID_FILE / RL_SUBGID_FILE). When the caller
// has no ranges it falls back to a one-id map and returns a warning for the
// user.
func ForCaller(mode Mode) (m Mappings, warning string, err error) {
	uid, gid := uint32(os.Getuid()), uint32(os.Getgid())
	if uid == 0 {
		return Compute(mode, 0, 0, nil, nil), "", nil
	}
	name := ""
	if u, err := user.LookupId(fmt.Sprint(uid)); err == nil {
		name = u.Username
	}
	subUIDs, err := ReadSubIDs(envOr("RL_SUBUID_FILE", SubUIDFile), name, uid)
	if err != nil {
		return m, "", err
	}
	subGIDs, err := ReadSubIDs(envOr("RL_SUBGID_FILE", SubGIDFile), name, uid)
	if err != nil {
		return m, "", err
	}
	m = Compute(mode, uid, gid, subUIDs, subGIDs)
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
		warning = fmt.Sprintf("no subordinate ids for %s in /etc/subuid and /etc/subgid: "+
			"the container has one uid and one gid (others show as nobody, chown fails); "+
			"fix: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s", who, who)
	}
	return m, warning, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

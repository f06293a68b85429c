package doctor

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/userns"
)

func idChecks() []check {
	return []check{
		{id: "ids.subuid", run: func(h *Host) Result { return checkSubIDs(h, userns.SubUIDPath()) }, dflt: true},
		{id: "ids.subgid", run: func(h *Host) Result { return checkSubIDs(h, userns.SubGIDPath()) }, dflt: true},
		{id: "ids.overlap", run: checkOverlap},
		{id: "ids.getsubids", run: checkGetsubids},
		{id: "ids.newuidmap", run: func(h *Host) Result { return checkMapHelper(h, "newuidmap") }, dflt: true},
		{id: "ids.newgidmap", run: func(h *Host) Result { return checkMapHelper(h, "newgidmap") }, dflt: true},
	}
}

// breaksSubIDs is what the one-id fallback breaks.
const breaksSubIDs = "images with files of other users, and --user: without subordinate ids a container has one uid and one gid (others show as nobody, chown fails)"

// checkSubIDs: the user's ranges in a subordinate id file (rl reads
// RL_SUBUID_FILE / RL_SUBGID_FILE where set), at least 65536 ids, as
// images expect.
func checkSubIDs(h *Host, path string) Result {
	if h.root() {
		return Result{Status: NA, Found: "real root uses no subordinate ids"}
	}
	ranges, err := userns.ReadSubIDs(path, h.User, uint32(h.UID))
	if err != nil {
		return Result{Status: Fail, Found: err.Error(), Breaks: breaksSubIDs,
			Fix: "edit " + path + ": each line USER:START:COUNT with COUNT > 0", Root: true, Manual: true}
	}
	fix := usermodFix(h, userns.SuggestCount)
	if path != userns.SubUIDFile && path != userns.SubGIDFile {
		fix += fmt.Sprintf("   # and the same lines in %s, which rl reads (RL_SUBUID_FILE, RL_SUBGID_FILE)", path)
	}
	if len(ranges) == 0 {
		return Result{Status: Fail, Found: "no range for " + h.Who() + " in " + path, Breaks: breaksSubIDs, Fix: fix, Root: true}
	}
	var total uint64
	desc := make([]string, len(ranges))
	for i, r := range ranges {
		total += uint64(r.Count)
		desc[i] = fmt.Sprintf("%d-%d", r.Start, uint64(r.Start)+uint64(r.Count)-1)
	}
	found := fmt.Sprintf("%d ids (%s) in %s", total, strings.Join(desc, ", "), path)
	if total < userns.SuggestCount {
		return Result{Status: Warn, Found: found, Breaks: "images with files owned by ids up to 65535 (nobody, 65534, among them)", Fix: fix, Root: true}
	}
	return Result{Status: OK, Found: found}
}

// usermodFix adds count ids free in both files to the user.
func usermodFix(h *Host, count uint32) string {
	return strings.TrimPrefix(userns.UsermodCommand(userns.SubUIDPath(), userns.SubGIDPath(), h.Who(), count), "sudo ")
}

// checkOverlap: ranges of two users that overlap let each one's
// containers reach the other's files.
func checkOverlap(h *Host) Result {
	if h.root() {
		return Result{Status: NA, Found: "real root uses no subordinate ids"}
	}
	var clashes []string
	for _, path := range []string{userns.SubUIDPath(), userns.SubGIDPath()} {
		mine, err := userns.ReadSubIDs(path, h.User, uint32(h.UID))
		f, openErr := os.Open(path)
		if err != nil || openErr != nil {
			continue
		}
		others := userns.ParseOthersRanges(f, h.User, uint32(h.UID))
		f.Close()
		for _, m := range mine {
			for _, o := range others {
				if uint64(m.Start) < uint64(o.Start)+uint64(o.Count) && uint64(o.Start) < uint64(m.Start)+uint64(m.Count) {
					clashes = append(clashes, fmt.Sprintf("%d-%d in %s", o.Start, uint64(o.Start)+uint64(o.Count)-1, path))
				}
			}
		}
	}
	if len(clashes) == 0 {
		return Result{Status: OK, Found: "no other user's range overlaps " + h.Who() + "'s"}
	}
	return Result{Status: Warn, Found: "another user's range overlaps: " + strings.Join(clashes, ", "),
		Breaks: "isolation between users: the other user's containers can own your containers' files",
		Fix:    "remove " + h.Who() + "'s lines from /etc/subuid and /etc/subgid, then " + usermodFix(h, userns.SuggestCount), Root: true}
}

// checkGetsubids: where nsswitch.conf names a subid source (SSSD, LDAP),
// newuidmap asks it rather than the files, and rl's ranges must agree.
func checkGetsubids(h *Host) Result {
	source := nsswitchSubid()
	if source == "" || source == "files" {
		return Result{Status: NA, Found: "no subid: source in /etc/nsswitch.conf: newuidmap reads the files"}
	}
	p, err := exec.LookPath("getsubids")
	if err != nil {
		return Result{Status: Warn, Found: "nsswitch.conf reads subordinate ids from " + source + ", and getsubids is not installed to ask it",
			Breaks: "nothing, if " + source + " agrees with /etc/subuid, which rl reads", Fix: installFix("uidmap", "shadow-utils-subid", "shadow"), Root: true}
	}
	out, err := exec.CommandContext(h.ctx, p, h.Who()).Output()
	if err != nil || len(strings.TrimSpace(string(out))) == 0 {
		return Result{Status: Fail, Found: "getsubids " + h.Who() + " found no range in " + source,
			Breaks: breaksSubIDs + "; newuidmap refuses the ranges rl reads", Fix: "give " + h.Who() + " subordinate ids in " + source, Root: true, Manual: true}
	}
	return Result{Status: OK, Found: "getsubids: " + strings.Join(strings.Fields(string(out)), " ")}
}

// nsswitchSubid is the source of the subid: line of nsswitch.conf, or "".
func nsswitchSubid() string {
	f, err := os.Open("/etc/nsswitch.conf")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "subid:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// checkMapHelper: newuidmap or newgidmap is installed, setuid root or
// with file capabilities, not on a nosuid mount nor run with
// no_new_privs; and, with subordinate ids, it writes the maps of a fresh
// user namespace (the maps probe).
func checkMapHelper(h *Host, name string) Result {
	if h.root() {
		return Result{Status: NA, Found: "real root writes its maps itself"}
	}
	breaks := "every rootless container with subordinate ids: rl cannot write the maps"
	path, err := exec.LookPath(name)
	if err != nil {
		return Result{Status: Fail, Found: name + " is not on PATH", Breaks: breaks, Fix: installFix("uidmap", "shadow-utils", "shadow"), Root: true}
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return Result{Status: Fail, Found: err.Error(), Breaks: breaks, Fix: installFix("uidmap", "shadow-utils", "shadow"), Root: true}
	}
	setuid := st.Mode&unix.S_ISUID != 0 && st.Uid == 0
	_, capErr := unix.Getxattr(path, "security.capability", nil)
	hasCaps := capErr == nil
	fix := "chown root:root " + path + " && chmod 4755 " + path
	switch {
	case !setuid && !hasCaps:
		return Result{Status: Fail, Found: path + " is neither setuid root nor has file capabilities", Breaks: breaks, Fix: fix, Root: true}
	case nosuid(path):
		return Result{Status: Fail, Found: path + " is on a nosuid mount: its setuid bit does nothing", Breaks: breaks,
			Fix: "remount the filesystem of " + path + " without nosuid", Root: true, Manual: true}
	case noNewPrivs():
		return Result{Status: Fail, Found: "this shell runs with no_new_privs (NoNewPrivs: 1 in /proc/self/status): " + path + " cannot gain its privileges",
			Breaks: breaks, Fix: "run rl from a session without no_new_privs (a CI runner's or systemd unit's NoNewPrivileges=yes, or a container's --security-opt no-new-privileges)", Manual: true}
	}
	found := path + " is setuid root"
	if !setuid {
		found = path + " has file capabilities"
	}
	p := h.mapsProbe()
	if !p.Ran {
		return Result{Status: OK, Found: found + " (not probed: rl maps no subordinate ids here)"}
	}
	err = p.UIDMap
	if name == "newgidmap" {
		err = p.GIDMap
	}
	if p.Start != nil {
		err = p.Start
	}
	if err != nil {
		return Result{Status: Fail, Found: found + ", but writing a map failed: " + err.Error(), Breaks: breaks,
			Fix: "check that /etc/subuid and /etc/subgid, which " + name + " reads, hold the ranges rl reads (see ids.subuid, ids.getsubids)", Root: true, Manual: true}
	}
	return Result{Status: OK, Found: found + "; wrote the maps of a probe namespace"}
}

// nosuid is true when path's filesystem is mounted nosuid.
func nosuid(path string) bool {
	var st unix.Statfs_t
	return unix.Statfs(path, &st) == nil && st.Flags&unix.ST_NOSUID != 0
}

// noNewPrivs is true when this process (and so every child) has
// no_new_privs set: exec(2) of a setuid binary then grants nothing.
func noNewPrivs() bool {
	n, err := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
	return err == nil && n == 1
}

// installFix installs a package with the machine's package manager: the
// Debian, Fedora or Arch name.
func installFix(deb, rpm, arch string) string {
	for _, m := range []struct{ tool, cmd, pkg string }{
		{"apt-get", "apt-get install -y ", deb}, {"dnf", "dnf install -y ", rpm}, {"pacman", "pacman -S --noconfirm ", arch},
		{"zypper", "zypper install -y ", rpm},
	} {
		if _, err := exec.LookPath(m.tool); err == nil {
			return m.cmd + m.pkg
		}
	}
	return "install " + deb + " (Debian), " + rpm + " (Fedora) or " + arch + " (Arch)"
}

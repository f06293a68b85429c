package doctor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeHost is alice (uid 1000) with the sysctls given as fakes.
func fakeHost(t *testing.T, sysctls map[string]string) *Host {
	t.Helper()
	root := t.TempDir()
	for name, v := range sysctls {
		p := filepath.Join(root, "/proc/sys", strings.ReplaceAll(name, ".", "/"))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &Host{ctx: context.Background(), User: "alice", UID: 1000, GID: 1000, Self: "/usr/local/bin/rl", sysRoot: root}
}

func TestSysctlChecks(t *testing.T) {
	for _, tt := range []struct {
		name    string
		check   func(*Host) Result
		sysctls map[string]string
		want    Status
		fix     string // the fix's start, when not ok
	}{
		{"no namespaces allowed", checkMaxUserNS, map[string]string{"user.max_user_namespaces": "0"}, Fail, "sysctl -w user.max_user_namespaces=\"15000\""},
		{"few namespaces", checkMaxUserNS, map[string]string{"user.max_user_namespaces": "10"}, Warn, "sysctl -w"},
		{"namespaces", checkMaxUserNS, map[string]string{"user.max_user_namespaces": "63000"}, OK, ""},
		{"Debian's knob off", checkUsernsClone, map[string]string{"kernel.unprivileged_userns_clone": "0"}, Fail, "sysctl -w kernel.unprivileged_userns_clone=\"1\""},
		{"Debian's knob on", checkUsernsClone, map[string]string{"kernel.unprivileged_userns_clone": "1"}, OK, ""},
		{"AppArmor allows", checkAppArmor, map[string]string{"kernel.apparmor_restrict_unprivileged_userns": "0"}, OK, ""},
		// the test binary has no profile of rl's
		{"AppArmor restricts", checkAppArmor, map[string]string{"kernel.apparmor_restrict_unprivileged_userns": "1"}, Fail,
			"cat > /etc/apparmor.d/rl <<'EOF'\nabi <abi/4.0>,\ninclude <tunables/global>\nprofile rl /usr/local/bin/rl flags=(unconfined) {\n  userns,\n}\nprofile rl-init /usr/local/bin/rl-init"},
		{"ping denied", checkPing, map[string]string{"net.ipv4.ping_group_range": "1\t0"}, Fail, "sysctl -w net.ipv4.ping_group_range=\"0 2147483647\" && echo 'net.ipv4.ping_group_range = 0 2147483647' >> /etc/sysctl.d/99-rl.conf"},
		{"ping for alice's group", checkPing, map[string]string{"net.ipv4.ping_group_range": "1000 1000"}, OK, ""},
		{"low ports privileged", checkPorts, map[string]string{"net.ipv4.ip_unprivileged_port_start": "1024"}, Warn, "sysctl -w net.ipv4.ip_unprivileged_port_start=\"80\""},
		{"low ports free", checkPorts, map[string]string{"net.ipv4.ip_unprivileged_port_start": "0"}, OK, ""},
	} {
		r := tt.check(fakeHost(t, tt.sysctls))
		if r.Status != tt.want || !strings.HasPrefix(r.Fix, tt.fix) || (r.Status != OK) != (r.Fix != "") {
			t.Errorf("%s: %+v, want %s with a fix starting %q", tt.name, r, tt.want, tt.fix)
		}
	}
}

func TestSubIDChecks(t *testing.T) {
	dir := t.TempDir()
	subuid, subgid := filepath.Join(dir, "subuid"), filepath.Join(dir, "subgid")
	t.Setenv("RL_SUBUID_FILE", subuid)
	t.Setenv("RL_SUBGID_FILE", subgid)
	h := fakeHost(t, nil)
	for _, tt := range []struct {
		name, lines string
		check       func(*Host) Result
		want        Status
		found, fix  string
	}{
		{"none", "bob:100000:65536\n", func(h *Host) Result { return checkSubIDs(h, subuid) }, Fail,
			"no range for alice in " + subuid, "usermod --add-subuids 165536-231071 --add-subgids 165536-231071 alice"},
		{"too few", "alice:100000:1000\n", func(h *Host) Result { return checkSubIDs(h, subuid) }, Warn, "1000 ids (100000-100999)", "usermod"},
		{"enough", "1000:100000:65536\n", func(h *Host) Result { return checkSubIDs(h, subuid) }, OK, "65536 ids (100000-165535) in " + subuid, ""},
		{"malformed", "alice:100000\n", func(h *Host) Result { return checkSubIDs(h, subuid) }, Fail, "reading " + subuid, "edit " + subuid},
		{"overlap", "alice:100000:65536\nbob:150000:65536\n", checkOverlap, Warn, "another user's range overlaps: 150000-215535", "remove alice's lines"},
		{"apart", "alice:100000:65536\nbob:165536:65536\n", checkOverlap, OK, "no other user's range overlaps", ""},
	} {
		if err := os.WriteFile(subuid, []byte(tt.lines), 0o644); err != nil {
			t.Fatal(err)
		}
		r := tt.check(h)
		if r.Status != tt.want || !strings.HasPrefix(r.Found, tt.found) || !strings.HasPrefix(r.Fix, tt.fix) {
			t.Errorf("%s: %+v, want %s, found %q..., fix %q...", tt.name, r, tt.want, tt.found, tt.fix)
		}
	}
}

package doctor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// breaksUserNS is what fails without user namespaces.
const breaksUserNS = "every rootless container: rl cannot create its user namespace"

func usernsChecks() []check {
	return []check{
		{id: "userns.max", run: checkMaxUserNS, dflt: true},
		{id: "userns.clone", run: checkUsernsClone, dflt: true},
		{id: "userns.apparmor", run: checkAppArmor, dflt: true},
		{id: "userns.create", run: checkUsernsCreate, dflt: true},
	}
}

// checkMaxUserNS: user.max_user_namespaces caps the user namespaces a
// user may hold; 0 disables them (RHEL 7).
func checkMaxUserNS(h *Host) Result {
	v, ok := h.sysctl("user.max_user_namespaces")
	if !ok {
		return Result{Status: Fail, Found: "no user.max_user_namespaces: the kernel has no user namespaces", Breaks: breaksUserNS,
			Fix: "a kernel built with CONFIG_USER_NS", Manual: true}
	}
	n, _ := strconv.Atoi(v)
	found, fix := "user.max_user_namespaces = "+v, sysctlFix("user.max_user_namespaces", "15000")
	switch {
	case n == 0:
		return Result{Status: Fail, Found: found, Breaks: breaksUserNS, Fix: fix, Root: true}
	case n < 100:
		return Result{Status: Warn, Found: found, Breaks: "containers beyond a few: each takes a user namespace (keep-id two)", Fix: fix, Root: true}
	}
	return Result{Status: OK, Found: found}
}

// checkUsernsClone: Debian's and older Ubuntu's kernels can forbid
// unprivileged user namespaces with kernel.unprivileged_userns_clone.
func checkUsernsClone(h *Host) Result {
	v, ok := h.sysctl("kernel.unprivileged_userns_clone")
	if !ok {
		return Result{Status: NA, Found: "no kernel.unprivileged_userns_clone (not a Debian-patched kernel)"}
	}
	r := Result{Status: OK, Found: "kernel.unprivileged_userns_clone = " + v}
	if v == "0" && !h.root() {
		r.Status, r.Breaks, r.Fix, r.Root = Fail, breaksUserNS, sysctlFix("kernel.unprivileged_userns_clone", "1"), true
	}
	return r
}

// checkAppArmor: Ubuntu 23.10+ lets only programs whose AppArmor profile
// allows it create user namespaces (kernel.apparmor_restrict_unprivileged_userns).
// rl runs under the profile attached to its path, which this process
// (rl itself) shows in /proc/self/attr/apparmor/current.
func checkAppArmor(h *Host) Result {
	v, ok := h.sysctl("kernel.apparmor_restrict_unprivileged_userns")
	if !ok {
		return Result{Status: NA, Found: "no kernel.apparmor_restrict_unprivileged_userns (no AppArmor restriction)"}
	}
	if v == "0" || h.root() {
		return Result{Status: OK, Found: "kernel.apparmor_restrict_unprivileged_userns = " + v}
	}
	label := "unknown"
	// AppArmor's own file first (Linux 5.8+), where another LSM may
	// hold the shared one.
	for _, f := range []string{"/proc/self/attr/apparmor/current", "/proc/self/attr/current"} {
		if b, err := os.ReadFile(f); err == nil {
			label = strings.TrimSpace(strings.TrimRight(string(b), "\x00"))
			break
		}
	}
	r := Result{Status: OK, Found: fmt.Sprintf("kernel.apparmor_restrict_unprivileged_userns = %s; %s runs as AppArmor %q", v, h.Self, label)}
	if label == "unconfined" || label == "unknown" {
		r.Status, r.Breaks, r.Fix, r.Root = Fail, breaksUserNS+" (or, on Ubuntu 24.04, any privileged step inside it)", appArmorFix(h.Self), true
	}
	return r
}

// appArmorFix writes a profile that lets rl and rl-init (which makes
// keep-id's nested namespace) create user namespaces, and loads it.
func appArmorFix(self string) string {
	dir := filepath.Dir(self)
	return fmt.Sprintf(`cat > /etc/apparmor.d/rl <<'EOF'
abi <abi/4.0>,
include <tunables/global>
profile rl %[1]s/rl flags=(unconfined) {
  userns,
}
profile rl-init %[1]s/rl-init flags=(unconfined) {
  userns,
}
EOF
apparmor_parser -r /etc/apparmor.d/rl`, dir)
}

// checkUsernsCreate creates a user namespace and mounts a tmpfs in it,
// as rl-init does first (the namespace probe).
func checkUsernsCreate(h *Host) Result {
	if h.root() {
		return Result{Status: NA, Found: "real root runs containers in the initial user namespace"}
	}
	p := h.nsProbe()
	r := Result{Status: Fail, Breaks: breaksUserNS, Root: true}
	switch {
	case p.Clone != nil && errors.Is(p.Clone, unix.ENOSPC):
		r.Found = "clone(CLONE_NEWUSER): " + p.Clone.Error() + ": the per-user limit is reached"
		r.Fix = sysctlFix("user.max_user_namespaces", "15000")
	case p.Clone != nil && (errors.Is(p.Clone, unix.EPERM) || errors.Is(p.Clone, unix.EACCES)):
		r.Found = "clone(CLONE_NEWUSER): " + p.Clone.Error()
		r.Fix = sysctlFix("kernel.unprivileged_userns_clone", "1") + "   # Ubuntu: see userns.apparmor"
	case p.Clone != nil:
		r.Found, r.Root = "starting the probe: "+p.Clone.Error(), false
		r.Fix, r.Manual = "see the error above", true
	case p.Mount != nil:
		r.Found = "a user namespace was made, but mounting in it failed: " + p.Mount.Error()
		r.Breaks = "every rootless container: rl-init cannot mount its root filesystem"
		r.Fix = appArmorFix(h.Self) + "   # the kernel denies capabilities inside: AppArmor's unprivileged_userns profile, or a seccomp filter of the caller"
	default:
		return Result{Status: OK, Found: "made a user namespace and mounted a tmpfs in it"}
	}
	return r
}

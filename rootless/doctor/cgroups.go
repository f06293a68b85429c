package doctor

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/cgroupsd"
)

func cgroupChecks() []check {
	return []check{
		{id: "cgroups.v2", run: checkCgroup2},
		{id: "cgroups.systemd", run: checkUserSystemd},
		{id: "cgroups.runtime_dir", run: checkRuntimeDir},
		{id: "cgroups.linger", run: checkLinger},
		{id: "cgroups.delegation", run: checkDelegation},
	}
}

// breaksLimits is what fails without a cgroup rl may manage.
const breaksLimits = "resource limits (--memory, --cpus, --pids-limit, ...): refused, or ignored with --limits=best-effort; rl stats"

// limitControllers are the controllers rl's resource flags use.
var limitControllers = []string{"cpu", "cpuset", "io", "memory", "pids"}

// systemdBooted is true when systemd is PID 1 (sd_booted(3)).
func systemdBooted() bool {
	_, err := os.Stat("/run/systemd/system")
	return err == nil
}

// checkCgroup2: rl's limits are cgroup v2 only.
func checkCgroup2(*Host) Result {
	if cgroupsd.IsCgroup2() {
		return Result{Status: OK, Found: "/sys/fs/cgroup is cgroup v2"}
	}
	return Result{Status: Warn, Found: "/sys/fs/cgroup is not cgroup v2 (v1 or hybrid)", Breaks: breaksLimits,
		Fix: "boot with systemd.unified_cgroup_hierarchy=1 on the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub, reboot)", Root: true, Manual: true}
}

// checkUserSystemd: the user's systemd, over its D-Bus socket, makes the
// containers' cgroups (transient scopes).
func checkUserSystemd(h *Host) Result {
	if !systemdBooted() {
		return Result{Status: Warn, Found: "systemd is not PID 1 (no /run/systemd/system): no user manager to make cgroups",
			Breaks: breaksLimits + ", unless rl's own cgroup is delegated (cgroups.delegation)", Fix: "boot with systemd, or run rl in a delegated cgroup", Root: true, Manual: true}
	}
	bus := cgroupsd.UserBus()
	if bus == "" {
		return Result{Status: Warn, Found: "no user D-Bus socket (DBUS_SESSION_BUS_ADDRESS, $XDG_RUNTIME_DIR/bus)", Breaks: breaksLimits,
			Fix: lingerFix(h) + "   # starts user@" + strconv.Itoa(h.UID) + ".service and its bus; then log in again (or export XDG_RUNTIME_DIR=/run/user/" + strconv.Itoa(h.UID) + ")", Root: true}
	}
	c, err := net.Dial("unix", bus)
	if err != nil {
		return Result{Status: Warn, Found: "the user bus " + bus + " does not answer: " + err.Error(), Breaks: breaksLimits,
			Fix: "systemctl restart user@" + strconv.Itoa(h.UID) + ".service", Root: true}
	}
	c.Close()
	return Result{Status: OK, Found: "the user's systemd answers on " + bus}
}

// lingerFix keeps the user's systemd running without a login.
func lingerFix(h *Host) string { return "loginctl enable-linger " + h.Who() }

// checkRuntimeDir: XDG_RUNTIME_DIR holds rl's run root and the user bus;
// pam_systemd makes it, the user's own, mode 0700.
func checkRuntimeDir(h *Host) Result {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	breaks := "the run root moves to /tmp/rl-run-" + strconv.Itoa(h.UID) + " (lost on reboot only with a tmpfs /tmp), and the user's systemd is not found"
	if h.root() {
		return Result{Status: NA, Found: "real root's run root is /run/rl"}
	}
	if dir == "" {
		return Result{Status: Warn, Found: "XDG_RUNTIME_DIR is not set (a login without pam_systemd: su, runuser, a cron job)", Breaks: breaks,
			Fix: "log in through a session manager (ssh, machinectl shell " + h.Who() + "@), or export XDG_RUNTIME_DIR=/run/user/" + strconv.Itoa(h.UID), Manual: true}
	}
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return Result{Status: Warn, Found: "XDG_RUNTIME_DIR=" + dir + ": " + err.Error(), Breaks: breaks,
			Fix: fmt.Sprintf("install -d -m 0700 -o %s %s", h.Who(), dir), Root: true}
	}
	if int(st.Uid) != h.UID || st.Mode&0o077 != 0 {
		return Result{Status: Warn, Found: fmt.Sprintf("XDG_RUNTIME_DIR=%s is owned by uid %d, mode %04o", dir, st.Uid, st.Mode&0o7777), Breaks: breaks,
			Fix: fmt.Sprintf("chown %s %s && chmod 0700 %s", h.Who(), dir, dir), Root: true}
	}
	return Result{Status: OK, Found: "XDG_RUNTIME_DIR=" + dir + ", yours, mode 0700"}
}

// checkLinger: without linger, systemd stops the user manager, and every
// container in its scopes, at logout.
func checkLinger(h *Host) Result {
	if h.root() || !systemdBooted() {
		return Result{Status: NA, Found: "no user manager to stop at logout"}
	}
	if _, err := os.Stat(filepath.Join("/var/lib/systemd/linger", h.Who())); err == nil {
		return Result{Status: OK, Found: "linger is enabled for " + h.Who()}
	}
	return Result{Status: Warn, Found: "linger is off for " + h.Who(), Breaks: "containers that outlive the login (rl run -d): systemd stops them at logout",
		Fix: lingerFix(h), Root: true}
}

// checkDelegation: the controllers delegated to the user's systemd (or
// to rl's own cgroup, without systemd) against those rl's limits need.
func checkDelegation(h *Host) Result {
	if !cgroupsd.IsCgroup2() {
		return Result{Status: NA, Found: "no cgroup v2 (see cgroups.v2)"}
	}
	uid := strconv.Itoa(h.UID)
	path := "/user.slice/user-" + uid + ".slice/user@" + uid + ".service"
	if cgroupsd.Default() != cgroupsd.Systemd {
		own, err := cgroupsd.OwnCgroup("self")
		if cgroupsd.Default() == cgroupsd.None || err != nil {
			return Result{Status: Warn, Found: "no systemd user bus, and rl's cgroup " + own + " is not writable", Breaks: breaksLimits,
				Fix: "see cgroups.systemd", Manual: true}
		}
		path = own
	}
	have := cgroupsd.Available(path)
	var missing []string
	for _, c := range limitControllers {
		if !slices.Contains(have, c) {
			missing = append(missing, c)
		}
	}
	found := "controllers of " + path + ": " + strings.Join(have, " ")
	if len(missing) == 0 {
		return Result{Status: OK, Found: found}
	}
	return Result{Status: Warn, Found: found + "; missing " + strings.Join(missing, " "),
		Breaks: "the limits of the missing controllers (" + strings.Join(missing, ", ") + ")",
		Fix: "mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=" + strings.Join(limitControllers, " ") +
			"\\n' > /etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload && systemctl restart user@" + uid + ".service",
		Root: true}
}

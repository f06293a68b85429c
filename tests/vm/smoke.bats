#!/usr/bin/env bats
# The VM test environment itself (tests/vm/run.sh): an unprivileged user in
# a systemd login session, with a user manager on its bus, a pure cgroup v2
# hierarchy with controllers delegated to that manager, and rl working.

load ../helpers

@test "vm: the suites run as an unprivileged user in a systemd login session" {
	[[ $(id -u) != 0 ]]
	grep -q "^$(id -un):" /etc/subuid
	[[ $XDG_RUNTIME_DIR == "/run/user/$(id -u)" ]]
	[[ $DBUS_SESSION_BUS_ADDRESS == "unix:path=/run/user/$(id -u)/bus" ]]
	run cat /proc/self/cgroup
	[[ $output == "0::/user.slice/user-$(id -u).slice/session-"*.scope ]] || fail "not in a session scope: $output"
}

@test "vm: the user manager answers on the user bus" {
	run busctl --user status
	expect_status 0
	run systemctl --user is-system-running --wait
	[[ $output == running ]] || fail "systemctl --user is-system-running: $output; $(systemctl --user --failed 2>&1)"
}

@test "vm: /sys/fs/cgroup is cgroup v2 only" {
	[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]
	run grep -E '^[^ ]+ [^ ]+ cgroup ' /proc/self/mounts
	expect_status 1
}

@test "vm: cpu, cpuset, io, memory and pids are delegated to the user manager" {
	local u d
	u=$(id -u)
	d=/sys/fs/cgroup/user.slice/user-$u.slice/user@$u.service
	run cat "$d/cgroup.controllers"
	for c in cpu cpuset io memory pids; do
		[[ " $output " == *" $c "* ]] || fail "$c is not in $d/cgroup.controllers: $output"
	done
	[[ -O $d ]] || fail "$d does not belong to $(id -un)"
}

@test "vm: systemd-run --user --scope with MemoryMax and Delegate=yes" {
	run systemd-run --user --scope -q -p MemoryMax=64M -p Delegate=yes true
	expect_status 0
	# shellcheck disable=SC2016 # expanded by the scope's shell
	run systemd-run --user --scope -q -p MemoryMax=64M -p Delegate=yes \
		sh -c 'cat "/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/memory.max"'
	expect_status 0
	[[ $output == 67108864 ]] || fail "memory.max in the scope: $output"
}

@test "vm: rl run --rm --network none --rootfs" {
	run rl run --rm --network none --rootfs "$ROOTFS" true
	expect_status 0
	run rl run --rm --network none --rootfs "$ROOTFS" cat /proc/self/uid_map
	expect_status 0
	[[ $output == *"100000"* ]] || fail "uid map without the subordinate range: $output"
}

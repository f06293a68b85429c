#!/usr/bin/env bats
# The user manager as Debian 12 ships it: guest.sh runs this suite last,
# after removing the image's delegate.conf drop-in and restarting tester's
# user manager, so only systemd's default controllers (cpu memory pids)
# reach rl's scopes.

load helpers
bats_require_minimum_version 1.5.0

@test "without the drop-in: the user manager delegates no io or cpuset" {
	run cat "/sys/fs/cgroup/user.slice/user-$(id -u).slice/user@$(id -u).service/cgroup.controllers"
	expect_status 0
	[[ $output != *io* && $output != *cpuset* ]] || fail "io or cpuset delegated: $output"
}

@test "a limit on an undelegated controller is refused with exit 125, the controller and the drop-in to add" {
	run rl run --rm --network none --cpuset-cpus 0 --rootfs "$ROOTFS" true
	one_line_error
	expect_output_has "the cpuset controller(s) are not delegated to you"
	expect_output_has "/etc/systemd/system/user@.service.d/delegate.conf"
	expect_output_has "Delegate=cpu cpuset io memory pids"
	run systemctl --user list-units --all --no-legend 'rl-*.scope'
	[[ -z $output ]] || fail "a scope was left: $output"
}

@test "--limits=best-effort runs with a warning naming io; the delegated limits still hold" {
	run rl run --rm --network none --limits best-effort --memory 32m --blkio-weight 300 --rootfs "$ROOTFS" \
		cat /sys/fs/cgroup/memory.max
	expect_status 0
	expect_output_has "not enforced: the io controller(s) are not delegated to you"
	expect_output_has 33554432
}

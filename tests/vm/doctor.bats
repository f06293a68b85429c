#!/usr/bin/env bats
# rl doctor where rl has everything: systemd as PID 1, a pure cgroup v2
# hierarchy with controllers delegated to the lingering user's manager.

load ../helpers

@test "vm: rl doctor finds every default need ok, and the cgroup checks too" {
	run rl doctor
	echo "$output"
	expect_status 0
	for id in userns.create ids.subuid ids.subgid ids.newuidmap ids.newgidmap storage.overlay storage.xattr \
		network.slirp4netns network.tun helpers.rl-init helpers.rl-image \
		cgroups.v2 cgroups.systemd cgroups.runtime_dir cgroups.linger cgroups.delegation; do
		grep -Eq "^ok +$id " <<<"$output" || fail "$id is not ok"
	done
}

#!/usr/bin/env bats
# Resource limits on this (host) machine, which has no systemd as PID 1 and
# a cgroup v1/v2 hybrid: limits must be refused, never silently dropped.
# The real systemd + cgroup v2 path is tests/vm/cgroups.bats.

load helpers

@test "a limit that cannot be enforced fails before the command starts, saying why and what to do" {
	if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
		skip "this machine runs pure cgroup v2: the refusal is for v1 and hybrid hosts"
	fi
	rl_run --memory 32m sh -c 'echo started'
	one_line_error
	expect_output_has "cannot enforce the resource limits (memory)"
	expect_output_has "not cgroup v2"
	expect_output_has "--limits=best-effort"
	[[ $output != *started* ]]
}

@test "--limits=best-effort runs without the limit, with one warning" {
	if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
		skip "this machine runs pure cgroup v2: the warning is for v1 and hybrid hosts"
	fi
	rl_run --memory 32m --pids-limit 10 --limits best-effort sh -c 'echo started'
	expect_status 0
	[[ ${lines[0]} == "rl: warning: not enforced: the memory, pids limits: "* ]]
	[[ ${lines[1]} == started ]]
}

@test "without limit flags there is no cgroup work: the state records no cgroup" {
	rl_run true
	expect_status 0
	run rl run --name plain --rootfs "$ROOTFS" true
	expect_status 0
	id=$(readlink "$RL_TEST_ROOT/names/plain")
	[[ $(jq -r .cgroup "$RL_TEST_ROOT/containers/$id/state.json") == null ]]
	rm -rf "$RL_TEST_ROOT" "$RL_TEST_RUNROOT"
}

@test "bad limit values are refused in one line" {
	for args in "--memory lots" "--cpus -1" "--cpus 1 --cpu-quota 50000" "--memory-swap 1g" "--memory 1g --memory-swap 512m" \
		"--pids-limit -5" "--blkio-weight 5" "--device-read-bps sda:1mb" "--cpuset-cpus 3-1" \
		"--cgroup-manager cgroupv1" "--limits sometimes" "--cpu-period 10"; do
		# shellcheck disable=SC2086
		rl_run $args true
		one_line_error
	done
}

@test "rl stats of a container without limits says how to get them" {
	ready=$(fifo ready)
	rl_background run --init --name nolimits --rootfs "$ROOTFS" -v "$BATS_TEST_TMPDIR:/t" sh -c 'echo ready > /t/ready; exec sleep 1000'
	pid=$!
	timeout 20 cat "$ready" >/dev/null
	run rl stats --no-stream nolimits
	one_line_error
	expect_output_has "no cgroup of its own"
	kill -TERM "$pid"
	wait "$pid" || true
	rm -rf "$RL_TEST_ROOT" "$RL_TEST_RUNROOT"
}

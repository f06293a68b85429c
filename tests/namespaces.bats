#!/usr/bin/env bats
# The namespaces rl creates and what the container sees through them.

load helpers

@test "the user namespace maps container root to the caller and 1..N to the subordinate range" {
	requires rootless
	rl_run cat /proc/self/uid_map /proc/self/gid_map
	expect_status 0
	uid=$(id -u) gid=$(id -g) user=$(id -un)
	sub_start=$(awk -F: -v u="$user" '$1 == u { print $2; exit }' /etc/subuid)
	sub_count=$(awk -F: -v u="$user" '$1 == u { print $3; exit }' /etc/subuid)
	read -r -a l0 <<<"${lines[0]}"
	read -r -a l1 <<<"${lines[1]}"
	[[ "${l0[*]}" == "0 $uid 1" ]]
	[[ "${l1[*]}" == "1 $sub_start $sub_count" ]]
	read -r -a g0 <<<"${lines[2]}"
	[[ "${g0[*]}" == "0 $gid 1" ]]
}

@test "as real root there is no user namespace: the maps are the identity" {
	requires root
	rl_run cat /proc/self/uid_map
	expect_status 0
	read -r -a l0 <<<"${lines[0]}"
	[[ "${l0[*]}" == "0 0 4294967295" ]]
}

@test "the pid namespace: the command is PID 1 and /proc shows only the container's processes" {
	rl_run sh -c 'echo $$; ls /proc | grep -E "^[0-9]+$"'
	expect_status 0
	[[ ${lines[0]} == 1 ]]
	# PID 1 and the ls, nothing of the host.
	[[ ${#lines[@]} -le 4 ]]
	[[ ${lines[1]} == 1 ]]
}

@test "the uts namespace: the container has its own hostname, which it cannot change without CAP_SYS_ADMIN" {
	before=$(hostname)
	rl_run --hostname inside sh -c 'hostname; hostname changed'
	expect_status 1
	[[ ${lines[0]} == inside ]]
	expect_output_has "Operation not permitted"
	[[ $(hostname) == "$before" ]]
}

@test "the ipc namespace: no System V IPC objects and an empty /dev/mqueue" {
	rl_run sh -c 'ipcs; ls -A /dev/mqueue | wc -l'
	expect_status 0
	[[ ${lines[-1]} == 0 ]]
	# ipcs prints only headers: no key lines (a hex key starts with 0x).
	[[ $output != *"0x"* ]]
}

@test "the net namespace with --network none has only lo, and it is up" {
	rl_run --network none sh -c 'ls /sys/class/net; cat /sys/class/net/lo/operstate; ip -o link'
	expect_status 0
	[[ ${lines[0]} == lo ]]
	[[ $output == *"LOOPBACK,UP"* ]]
}

@test "--network host shares the host's interfaces; the host's /sys is bound read-only" {
	rl_run --network host sh -c 'ls /sys/class/net'
	expect_status 0
	[[ $(echo "$output" | sort) == $(ls /sys/class/net | sort) ]]
	rl_run --network host sh -c 'touch /sys/x /sys/fs/cgroup/x 2>&1; true'
	if [[ $(id -u) == 0 ]]; then
		# Real root may mount a fresh sysfs (read-only, no cgroup below).
		expect_output_has "touch: /sys/x: Read-only file system"
	else
		[[ $(grep -c "Read-only file system" <<<"$output") == 2 ]]
	fi
}

@test "the mount namespace: container mounts are invisible on the host" {
	rl_run --tmpfs /scratch sh -c 'grep -c " /scratch " /proc/self/mountinfo'
	expect_status 0
	[[ $output == 1 ]]
	! grep -q " /scratch " /proc/self/mountinfo
}

@test "the cgroup namespace: the container's cgroup is its root" {
	rl_run cat /proc/self/cgroup
	expect_status 0
	while read -r line; do
		[[ $line == *:/ ]]
	done <<<"$output"
}

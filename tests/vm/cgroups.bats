#!/usr/bin/env bats
# cgroups through the user's systemd (and cgroupfs in a delegated scope),
# run inside the VM tier (tests/vm/run.sh): systemd as PID 1, pure cgroup
# v2, the user's manager with cpu cpuset io memory pids delegated.

load helpers
bats_require_minimum_version 1.5.0

# A test that fails half-way must not leave its background container
# running: bats would wait for it.
teardown() {
	if [[ -n ${pid:-} ]]; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	assert_nothing_left
}

# rl_limited ARGS...: rl run --rm --network none --rootfs $ROOTFS ARGS...
rl_limited() {
	run rl run --rm --network none --rootfs "$ROOTFS" "$@"
}

@test "--memory: the limit is memory.max; a process that needs more is killed (137) and memory.events counts it" {
	rl_limited --memory 32m cat /sys/fs/cgroup/memory.max
	expect_status 0
	[[ $output == 33554432 ]]
	# A subshell holds 64 MiB in a variable: the OOM killer takes it, and
	# its status (137) becomes the container's.
	rl_limited --memory 32m --memory-swap 32m sh -c '(x=$(head -c 67108864 /dev/zero | tr "\0" x); echo survived); s=$?
		grep oom_kill /sys/fs/cgroup/memory.events; exit $s'
	[[ $status == 137 ]]
	expect_output_has "oom_kill 1"
	[[ $output != *survived* ]]
}

@test "--memory-swap equal to --memory allows no swap; -1 allows any" {
	rl_limited --memory 64m --memory-swap 64m cat /sys/fs/cgroup/memory.swap.max
	expect_status 0
	[[ $output == 0 ]]
	rl_limited --memory 64m --memory-swap -1 cat /sys/fs/cgroup/memory.swap.max
	[[ $output == max ]]
}

@test "--cpus 0.5 is cpu.max 50000 100000, and a busy loop gets about half a CPU" {
	rl_limited --cpus 0.5 sh -c 'cat /sys/fs/cgroup/cpu.max
		used() { sed -n "s/^usage_usec //p" /sys/fs/cgroup/cpu.stat; }
		start=$(cut -d" " -f1 /proc/uptime | tr -d .) before=$(used)
		timeout 3 sh -c "while :; do :; done"
		end=$(cut -d" " -f1 /proc/uptime | tr -d .) after=$(used)
		echo "elapsed $(((end - start) * 10000))"
		echo "usage $((after - before))"'
	[[ ${lines[0]} == "50000 100000" ]]
	# timeout(1) may say "Terminated" in between. The loop's share of the
	# time it ran (timed in the container: under emulation timeout may
	# fire late) is half a CPU: allow 0.3 to 0.7. Both are differences
	# over the loop alone: the cgroup's usage before it (the container's
	# start, slow under emulation) is not in the window.
	usage=${lines[-1]#usage }
	elapsed=${lines[-2]#elapsed }
	((usage * 10 > elapsed * 3 && usage * 10 < elapsed * 7)) || fail "cpu usage $usage µs in $elapsed µs"
}

@test "--cpu-shares becomes cpu.weight as runc converts it; --cpuset-cpus 0 is cpuset.cpus.effective" {
	rl_limited --cpu-shares 512 --cpuset-cpus 0 sh -c 'cat /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpuset.cpus.effective'
	expect_status 0
	[[ ${lines[0]} == 20 ]]
	[[ ${lines[1]} == 0 ]]
}

@test "--pids-limit 20 stops a fork loop at 20 processes" {
	# A subshell forks until it fails (and dies of it); then only shell
	# builtins: at the limit, nothing forks.
	rl_limited --pids-limit 20 sh -c 'cat /sys/fs/cgroup/pids.max
		(i=0; while [ $i -lt 40 ]; do sleep 5 & i=$((i + 1)); done) 2>/dev/null
		read -r n </sys/fs/cgroup/pids.current; echo "$n"
		while read -r l; do echo "$l"; done </sys/fs/cgroup/pids.events'
	[[ ${lines[0]} == 20 ]]
	# At most 20 (the subshell that hit the limit is gone), and refused
	# forks counted.
	((lines[1] <= 20 && lines[1] >= 15)) || fail "pids.current ${lines[1]}"
	[[ ${lines[2]} == "max "[1-9]* ]]
}

@test "--blkio-weight and --device-write-bps reach io.weight and io.max" {
	dev=$(awk '$2 == "/" { print $1; exit }' /proc/mounts)
	IFS=: read -r major minor < <(stat -Lc '%t:%T' "$dev")
	majmin=$(printf '%d:%d' "0x$major" "0x$minor")
	rl_limited --blkio-weight 300 --device-write-bps "$dev:1mb" sh -c 'cat /sys/fs/cgroup/io.weight /sys/fs/cgroup/io.max'
	expect_status 0
	expect_output_has "default 2930"
	expect_output_has "$majmin rbps=max wbps=1048576"
}

@test "the scope is listed while the container runs and gone after it exits, also after kill -9 of rl" {
	ready=$(fifo ready)
	rl_background run --rm --network none --memory 64m --name scoped --rootfs "$ROOTFS" -v "$BATS_TEST_TMPDIR:/t" \
		sh -c 'echo ready > /t/ready; exec sleep 1000'
	pid=$!
	timeout 20 cat "$ready" >/dev/null
	id=$(readlink "$RL_TEST_ROOT/names/scoped")
	systemctl --user is-active "rl-${id:0:12}.scope"
	kill -KILL "$pid"
	wait "$pid" || true
	for _ in $(seq 100); do
		systemctl --user is-active --quiet "rl-${id:0:12}.scope" || break
		sleep 0.1
	done
	run systemctl --user is-active "rl-${id:0:12}.scope"
	[[ $status != 0 ]]
	rm -rf "$RL_TEST_ROOT" "$RL_TEST_RUNROOT"
}

@test "the container sees its own cgroup as / and /sys/fs/cgroup read-only" {
	rl_limited --pids-limit 100 sh -c 'cat /proc/self/cgroup; touch /sys/fs/cgroup/x'
	[[ ${lines[0]} == "0::/" ]]
	expect_output_has "Read-only file system"
}

@test "cgroupfs in a delegated scope without a bus address" {
	run systemd-run --user --scope -q -p Delegate=yes env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR=/nonexistent \
		"$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" run --rm --network none --pids-limit 30 \
		--rootfs "$ROOTFS" sh -c 'cat /sys/fs/cgroup/pids.max'
	expect_status 0
	[[ $output == 30 ]]
}

@test "no limit flags: no cgroup work, no scope" {
	rl_limited cat /proc/self/cgroup
	expect_status 0
	run systemctl --user list-units --all --no-legend 'rl-*.scope'
	[[ -z $output ]]
}

@test "rl stats shows a running container's memory limit and processes" {
	ready=$(fifo ready)
	rl_background run --rm --init --network none --memory 64m --pids-limit 50 --name measured --rootfs "$ROOTFS" \
		-v "$BATS_TEST_TMPDIR:/t" sh -c 'echo ready > /t/ready; exec sleep 1000'
	pid=$!
	timeout 20 cat "$ready" >/dev/null
	run rl stats --no-stream --format json measured
	expect_status 0
	expect_output_has '"memory_limit":67108864'
	[[ $output =~ \"pids\":[1-9] ]]
	run rl stats --no-stream measured
	expect_output_has "64MiB"
	kill -TERM "$pid"
	wait "$pid" || true
}

@test "a controller that is not delegated is refused with exit 125, naming it" {
	# In a delegated scope, a child cgroup that gets only pids: rl, told
	# to put the container below it, has no memory controller to use.
	run systemd-run --user --scope -q -p Delegate=yes sh -c '
		cg=$(sed -n "s/^0:://p" /proc/self/cgroup)
		mkdir "/sys/fs/cgroup$cg/leaf" "/sys/fs/cgroup$cg/pidsonly"
		echo $$ >"/sys/fs/cgroup$cg/leaf/cgroup.procs"
		echo +pids >"/sys/fs/cgroup$cg/cgroup.subtree_control"
		"$0" --root "$1" --runroot "$2" run --rm --network none --cgroup-manager cgroupfs \
			--cgroup-parent "$cg/pidsonly" --memory 32m --rootfs "$3" true' \
		"$RL_BIN" "$RL_TEST_ROOT" "$RL_TEST_RUNROOT" "$ROOTFS"
	one_line_error
	expect_output_has "the memory controller(s) are not delegated to you"
	expect_output_has "--limits=best-effort"
}

@test "--device-write-bps throttles a direct write: 4 MiB at 1 MiB/s takes about 4 s" {
	dev=$(awk '$2 == "/" { print $1; exit }' /proc/mounts)
	rl_limited --device-write-bps "$dev:1mb" sh -c 't0=$(date +%s)
		dd if=/dev/zero of=/tmp/f bs=1M count=4 oflag=direct 2>/dev/null
		echo $(($(date +%s) - t0))'
	expect_status 0
	# At 1 MiB/s, 4 MiB cannot be written in under 3 s.
	((output >= 3)) || fail "took $output s"
}

@test "exec joins the container's systemd scope; stats streams until the container exits" {
	id=$(rl run -d --network none --memory 64m --name limited --rootfs "$ROOTFS" sleep 1000)
	run rl exec limited sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/memory.max'
	expect_status 0
	# In the container's cgroup namespace, rooted at its scope: "/".
	[[ ${lines[0]} == "0::/" ]]
	[[ ${lines[1]} == 67108864 ]]
	# Seen from the host, the exec'd process is in rl's scope.
	run rl exec limited sh -c 'sleep 1000 & echo $!; wait'  &
	execpid=$!
	for _ in $(seq 100); do
		pids=$(cat "/sys/fs/cgroup$(rl inspect --format '{{.Cgroup.path}}' limited)/cgroup.procs" | wc -l)
		((pids >= 4)) && break
		sleep 0.1
	done
	((pids >= 4)) || fail "the exec'd processes are not in the scope ($pids processes)"
	# Live stats: one sample a second until the container is gone.
	(sleep 2.5; rl stop -t 0 limited >/dev/null) &
	run timeout 20 "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" stats --format json limited
	expect_status 0
	((${#lines[@]} >= 2)) || fail "want at least two samples: $output"
	wait "$execpid" || true
	rl rm -f limited
}

@test "cgroupfs: rl rm -f removes the cgroup that a killed monitor left behind" {
	run systemd-run --user --scope -q -p Delegate=yes env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR=/nonexistent \
		RL="$RL_BIN" ROOT="$RL_TEST_ROOT" RUN="$RL_TEST_RUNROOT" ROOTFS="$ROOTFS" sh -c '
		rl() { "$RL" --root "$ROOT" --runroot "$RUN" "$@"; }
		id=$(rl run -d --network none --cgroup-manager cgroupfs --pids-limit 30 --rootfs "$ROOTFS" sleep 1000) || exit 1
		cg=/sys/fs/cgroup$(rl inspect --format "{{.Cgroup.path}}" "$id")
		monitor=$(rl inspect --format "{{.State.MonitorPid}}" "$id")
		kill -KILL "$monitor"
		timeout 20 tail --pid "$monitor" -f /dev/null
		test -d "$cg" && echo left-behind
		rl rm -f "$id" >/dev/null
		test -d "$cg" || echo removed'
	expect_status 0
	[[ $output == $'left-behind\nremoved' ]]
}

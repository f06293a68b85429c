#!/usr/bin/env bats
# What reaches the container's process: file descriptors and signals.

load helpers

# rl_with_fds SETUP ARGS...: run `rl ARGS...` from a child shell that first
# runs SETUP (redirections): bats keeps its own output on fd 3.
rl_with_fds() {
	local setup=$1
	shift
	run bash -c "$setup; exec \"\$@\"" _ "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" "$@"
}

@test "no file descriptor leaks into the container" {
	# bats itself holds fds 3 and up open; none may get through. (The
	# `; true` keeps sh from exec'ing ls, which has a directory fd open.)
	rl_run sh -c 'ls /proc/$$/fd; true'
	expect_status 0
	[[ $(echo $output) == "0 1 2" ]]
	rl_run --init sh -c 'ls /proc/$$/fd; true'
	expect_status 0
	[[ $(echo $output) == "0 1 2" ]]
}

@test "--preserve-fds passes fds 3 and up" {
	echo three >"$BATS_TEST_TMPDIR/3"
	echo four >"$BATS_TEST_TMPDIR/4"
	rl_with_fds "exec 3<$BATS_TEST_TMPDIR/3 4<$BATS_TEST_TMPDIR/4" run --rm --rootfs "$ROOTFS" \
		--preserve-fds 2 sh -c 'ls /proc/$$/fd; cat <&3; cat <&4'
	expect_status 0
	[[ $(echo "${lines[@]:0:5}") == "0 1 2 3 4" ]]
	expect_output_has three
	expect_output_has four
}

@test "--preserve-fds with a closed fd is refused" {
	rl_with_fds "exec 3<&-" run --rm --rootfs "$ROOTFS" --preserve-fds 1 true
	one_line_error
	expect_output_has "fd 3 is not open"
}

# signal_roundtrip SIG [RL-FLAGS...]: start a container that traps SIG,
# wait until it is ready, send SIG to rl, and check the container got it.
# The shell runs its trap between two short sleeps: busybox sh loses a
# signal that lands just before it enters `wait`.
signal_roundtrip() {
	local sig=$1
	shift
	local ready
	ready=$(fifo "ready-$sig")
	rl_background run --rm --rootfs "$ROOTFS" "$@" -v "$BATS_TEST_TMPDIR:/t" sh -c \
		"trap 'echo $sig > /t/got-$sig; exit 42' $sig; echo ready > /t/ready-$sig; while :; do sleep 0.1; done"
	local pid=$!
	timeout 20 cat "$ready" >/dev/null
	kill -s "$sig" "$pid"
	local status=0
	wait "$pid" || status=$?
	[[ $status == 42 ]] || fail "SIG$sig: rl exited $status, want 42"
	[[ $(cat "$BATS_TEST_TMPDIR/got-$sig") == "$sig" ]]
}

@test "signals sent to rl reach the container's process" {
	for sig in INT TERM HUP QUIT USR1 USR2 WINCH; do
		signal_roundtrip "$sig"
	done
}

@test "with --init, signals reach the command through the init" {
	for sig in TERM USR1; do
		signal_roundtrip "$sig" --init
	done
}

@test "with --init, SIGTERM kills a command that does not handle it: exit 143" {
	ready=$(fifo ready)
	rl_background run --rm --rootfs "$ROOTFS" --init -v "$BATS_TEST_TMPDIR:/t" sh -c 'echo ready > /t/ready; exec sleep 1000'
	pid=$!
	timeout 20 cat "$ready" >/dev/null
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	[[ $status == 143 ]]
}

@test "killing rl with SIGKILL takes the container down with it" {
	ready=$(fifo ready)
	rl_background run --rm --rootfs "$ROOTFS" -v "$BATS_TEST_TMPDIR:/t" sh -c 'echo ready > /t/ready; exec sleep 1001'
	pid=$!
	timeout 20 cat "$ready" >/dev/null
	kill -KILL "$pid"
	wait "$pid" || true
	# The parent-death signal reaches the container as rl exits; give the
	# kernel a bounded moment to reap it.
	for _ in $(seq 100); do
		pgrep -u "$(id -u)" -f "sleep 1001" >/dev/null || break
		sleep 0.05
	done
	! pgrep -u "$(id -u)" -f "sleep 1001"
	# rl had no chance to clean up and there is no `rl rm` yet: remove what
	# it left, as the user would.
	rm -rf "$RL_TEST_ROOT" "$RL_TEST_RUNROOT"
}

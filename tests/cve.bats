#!/usr/bin/env bats
# Runtime escapes of the known classes, against binaries the test user
# owns (as after `make install PREFIX=$HOME/.local`): the container's root
# is that user, so a container that reached rl or rl-init on the host could
# overwrite it. CVE-2019-5736 (/proc/PID/exe of the runtime), CVE-2024-21626
# (a leaked directory fd as the working directory), CVE-2021-30465 (a
# mount point swapped for a symlink while mounting), and rl exec into a
# container that changed itself. seccomp is not asserted on here.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export ROOTFS="$BATS_FILE_TMPDIR/rootfs"
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$ROOTFS"
	# Our own copy of the binaries, owned by the test user.
	local bin=$BATS_FILE_TMPDIR/bin
	mkdir -p "$bin"
	cp "$(dirname "$RL_BIN")/rl" "$(dirname "$RL_BIN")/rl-init" "$(dirname "$RL_BIN")/rl-image" "$bin/"
	chmod 0755 "$bin"/*
	export RL_BIN=$bin/rl
	sha256sum "$bin"/* >"$BATS_FILE_TMPDIR/bin.sums"
}

teardown() {
	if [[ -n ${swapper:-} ]]; then
		kill "$swapper" 2>/dev/null || true
		wait "$swapper" 2>/dev/null || true
	fi
	rl rm -f c >/dev/null 2>&1 || true
	assert_nothing_left
	sha256sum -c --quiet "$BATS_FILE_TMPDIR/bin.sums" || fail "rl's binaries were changed"
}

# detach_named NAME ARGS...: rl run -d a container on $ROOTFS, named NAME.
detach_named() {
	local name=$1
	shift
	run rl run -d --name "$name" --network none --rootfs "$ROOTFS" "$@"
	expect_status 0
}

# wait_for FILE: until FILE exists, at most 20 s.
wait_for() {
	for _ in $(seq 200); do
		[[ -e $1 ]] && return 0
		sleep 0.1
	done
	fail "$1 did not appear"
}

@test "the binaries are the test user's own (the case these tests are about)" {
	[[ $(stat -c %u "$RL_BIN") == "$(id -u)" ]]
	[[ $(stat -c %u "$(dirname "$RL_BIN")/rl-init") == "$(id -u)" ]]
}

@test "with --init, the container's root can neither open nor write rl-init through /proc/1/exe" {
	# readlink and every open of /proc/PID/exe, O_PATH included, pass the
	# same ptrace access check (proc_exe_link): a failed readlink means no
	# handle to reopen later.
	rl_run --init sh -c '
		readlink /proc/1/exe && echo readable
		(exec 3</proc/1/exe) 2>/dev/null && echo opened-for-reading
		(exec 3>>/proc/1/exe) 2>/dev/null && echo opened-for-writing
		cat /proc/1/exe >/dev/null 2>&1 && echo copied
		echo done'
	expect_status 0
	expect_output_has "done"
	[[ $output != *readable* && $output != *opened* && $output != *copied* ]] || fail "$output"
}

@test "a #!/proc/self/exe command run by rl exec cannot lead to overwriting rl-init" {
	# The container plants a script whose interpreter is /proc/self/exe: run
	# by rl exec, it executes whatever binary rl exec's process was, inside
	# the container, as its root. The container then holds that binary open
	# and, once it exits, reopens it for writing (CVE-2019-5736).
	mkdir "$BATS_TEST_TMPDIR/log"
	chmod 0777 "$BATS_TEST_TMPDIR/log"
	# attack runs with fd 3 open on the caught process's exe (a failed
	# redirection of a function call does not end the shell, as one of
	# exec would).
	detach_named c -v "$BATS_TEST_TMPDIR/log:/log" sh -c '
		attack() {
			echo "$1" >>/log/exe
			while ! (exec 4>>/proc/self/fd/3) 2>/dev/null; do :; done
			exec 4>>/proc/self/fd/3
			if echo PWNED >&4; then echo wrote >>/log/result; else echo refused >>/log/result; fi
		}
		printf "#!/proc/self/exe\n" >/bin/evil && chmod +x /bin/evil && touch /log/ready
		while :; do
			for p in /proc/[0-9]*; do
				e=$(readlink $p/exe 2>/dev/null) || continue
				case $e in *busybox*) ;; *) if attack "$e" 3<"$p/exe"; then break 2; fi 2>/dev/null ;; esac
			done
		done
		exec sleep 1000'
	wait_for "$BATS_TEST_TMPDIR/log/ready"
	# The container has to catch a process that lives for milliseconds:
	# try again until it has.
	for _ in $(seq 30); do
		run rl exec c /bin/evil
		# rl-init, run without rl, says so and exits.
		expect_status 125
		expect_output_has "rl-init: this program is started by rl"
		sleep 0.2
		[[ -e $BATS_TEST_TMPDIR/log/exe ]] && break
	done
	wait_for "$BATS_TEST_TMPDIR/log/exe"
	# What the container could reach was a sealed copy, not the file on
	# the host: writing it fails (teardown checks the binaries' sums too).
	wait_for "$BATS_TEST_TMPDIR/log/result"
	[[ $(<"$BATS_TEST_TMPDIR/log/result") == refused ]] || fail "the container wrote: $(cat "$BATS_TEST_TMPDIR/log/exe")"
	[[ $(<"$BATS_TEST_TMPDIR/log/exe") == "/memfd:rl-init (deleted)" ]] || fail "exe: $(<"$BATS_TEST_TMPDIR/log/exe")"
	rl rm -f c
}

@test "rl-init runs from a sealed copy: its /proc/PID/exe is not the file on the host" {
	detach_named c --init sleep 1000
	run rl inspect --format '{{.State.Pid}}' c
	expect_status 0
	local pid=$output
	[[ $(readlink "/proc/$pid/exe") == "/memfd:rl-init (deleted)" ]] || fail "rl-init's exe: $(readlink "/proc/$pid/exe")"
	# Still "rl-init" to ps and pgrep.
	[[ $(</proc/"$pid"/comm) == rl-init ]]
	# The copy cannot be written, even by its owner.
	run bash -c 'echo x >>"/proc/$1/exe"' _ "$pid"
	[[ $status != 0 ]] || fail "wrote to rl-init's copy"
	rl rm -f c
}

@test "/proc/self/exe of rl exec's command is the command" {
	detach_named c sleep 1000
	run rl exec c readlink /proc/self/exe
	expect_status 0
	[[ $output == /bin/busybox ]] || fail "$output"
	run rl exec c sh -c 'for p in /proc/[0-9]*; do readlink $p/exe; done'
	[[ $output != *rl-init* ]] || fail "a process in the container runs rl-init: $output"
	rl rm -f c
}

# fds_are FDS...: $output, ls's listing of its /proc/self/fd, is FDS, or
# FDS and one more above them: ls's own, open on the directory it lists.
fds_are() {
	local got want="$*"
	got=$(echo $output)
	[[ $got == "$want" || $got == "$want $(($# ))" ]] || fail "fds $got, want $want"
}

@test "only fds 0-2 and --preserve-fds reach the command, in rl run and in rl exec" {
	rl_run ls /proc/self/fd
	expect_status 0
	fds_are 0 1 2
	rl_run --init ls /proc/self/fd
	expect_status 0
	fds_are 0 1 2
	rl_run --preserve-fds 2 ls /proc/self/fd 3</dev/null 4</dev/null
	expect_status 0
	fds_are 0 1 2 3 4
	detach_named c sleep 1000
	run rl exec c ls /proc/self/fd
	expect_status 0
	fds_are 0 1 2
	rl rm -f c
}

# one_line_failure: exit 125 (rl's failure) or 126 (cannot enter or
# execute), and one line that starts "rl: ".
one_line_failure() {
	[[ $status == 125 || $status == 126 ]] || fail "exit status $status, want 125 or 126: $output"
	[[ ${#lines[@]} == 1 && ${lines[0]} == "rl: "* ]] || fail "want one 'rl: ...' line, got: $output"
}

@test "-w /proc/self/fd/3..9 fails cleanly, in rl run and in rl exec" {
	# Whatever rl-init holds open at fd N, the command must not start in
	# it (CVE-2024-21626: a leaked directory fd as the working directory).
	local n
	for n in 3 4 5 6 7 8 9; do
		rl_run -w "/proc/self/fd/$n" sh -c 'echo escaped; pwd'
		one_line_failure
		rl_run --init -w "/proc/1/fd/$n" sh -c 'echo escaped; pwd'
		one_line_failure
	done
	detach_named c sleep 1000
	for n in 3 4 5 6 7 8 9; do
		run rl exec -w "/proc/self/fd/$n" c sh -c 'echo escaped; pwd'
		one_line_failure
	done
	rl rm -f c
}

@test "a -v target that is a symlink to a host path lands inside the container's root" {
	local host=$BATS_TEST_TMPDIR/host
	mkdir -p "$host" "$BATS_TEST_TMPDIR/src" "$BATS_TEST_TMPDIR/r"
	echo from-src >"$BATS_TEST_TMPDIR/src/file"
	cp -a "$ROOTFS/." "$BATS_TEST_TMPDIR/r/"
	ln -s "$host/abs" "$BATS_TEST_TMPDIR/r/abs"
	ln -s "../../../../../../../../../..$host/rel" "$BATS_TEST_TMPDIR/r/rel"
	run rl run --rm --rootfs "$BATS_TEST_TMPDIR/r" -v "$BATS_TEST_TMPDIR/src:/abs" \
		-v "$BATS_TEST_TMPDIR/src:/rel/sub" -v "$BATS_TEST_TMPDIR/src/file:/rel/f2:ro" \
		sh -c "cat /abs/file /rel/sub/file $host/rel/f2; grep -c ' $host/' /proc/self/mountinfo"
	expect_status 0
	[[ ${lines[0]} == from-src && ${lines[1]} == from-src && ${lines[2]} == from-src && ${lines[3]} == 3 ]] || fail "$output"
	# Nothing was made on the host at the symlinks' targets.
	[[ -z $(find "$host" -mindepth 1) ]] || fail "made on the host: $(find "$host" -mindepth 1)"
}

@test "a mount point swapped for a symlink while mounting never lands outside the root" {
	# The volume's directory x turns into a symlink to the host and back,
	# as another container sharing the volume could make it; each start
	# mounts onto /shared/x/deep. It must land inside the root or fail
	# with one line, and make nothing at the symlink's target. (A race: a
	# regression shows up as a failure only some of the time.)
	command -v python3 >/dev/null || skip "python3 is needed to swap the symlink fast enough"
	local vol=$BATS_TEST_TMPDIR/vol host=$BATS_TEST_TMPDIR/host
	mkdir -p "$vol/x.dir" "$host" "$BATS_TEST_TMPDIR/src"
	python3 -c '
import os, sys
vol, target = sys.argv[1], sys.argv[2]
x, d = os.path.join(vol, "x"), os.path.join(vol, "x.dir")
while True:
    try:
        os.rename(d, x); os.rename(x, d)
        os.symlink(target, x); os.unlink(x)
    except OSError:
        pass' "$vol" "$host/raced" &
	swapper=$!
	for _ in $(seq 30); do
		rl_run -v "$vol:/shared" -v "$BATS_TEST_TMPDIR/src:/shared/x/deep" true
		[[ $status == 0 ]] || one_line_error
	done
	[[ -z $(find "$host" -mindepth 1) ]] || fail "made on the host: $(find "$host" -mindepth 1)"
}

@test "rl exec into a container that replaced /bin/sh runs the container's /bin/sh, in the container" {
	detach_named c sh -c 'rm /bin/sh && printf "#!/bin/busybox ash\necho replaced-sh \$(cat /proc/self/cgroup | wc -l)\n" >/bin/sh && chmod +x /bin/sh && exec sleep 1000'
	for _ in $(seq 50); do
		run rl exec c /bin/sh
		[[ $output == replaced-sh* ]] && break
		sleep 0.1
	done
	expect_status 0
	expect_output_has replaced-sh
	rl rm -f c
}

@test "rl exec into a container that made /proc a symlink joins it, or fails with one line" {
	# Without CAP_SYS_ADMIN the container cannot unmount its /proc, so it
	# fails here; should it ever succeed, rl exec must still behave.
	detach_named c sh -c 'umount /proc 2>/dev/null; mkdir -p /fakeproc && rmdir /proc 2>/dev/null && ln -s /fakeproc /proc; exec sleep 1000'
	run rl exec c sh -c 'echo joined; [ -L /proc ] && echo proc-is-a-symlink; true'
	if [[ $status == 0 ]]; then
		expect_output_has joined
	else
		one_line_error
	fi
	rl rm -f c
}

@test "rl exec into a container whose init unshared its namespaces joins the container's, never the host's" {
	mkdir "$BATS_TEST_TMPDIR/t"
	chmod 0777 "$BATS_TEST_TMPDIR/t"
	# PID 1 moves itself into a new user namespace (which needs no
	# privilege) and, root there, new mount and uts namespaces, and names
	# the host differently there.
	detach_named c -v "$BATS_TEST_TMPDIR/t:/t" --hostname original sh -c \
		'readlink /proc/self/ns/uts >/t/before; unshare -U -r -m -u true || { touch /t/refused; exec sleep 1000; }; exec unshare -U -r -m -u sh -c "hostname changed; readlink /proc/self/ns/uts >/t/after; exec sleep 1000"'
	for _ in $(seq 200); do
		[[ -e $BATS_TEST_TMPDIR/t/after || -e $BATS_TEST_TMPDIR/t/refused ]] && break
		sleep 0.1
	done
	if [[ -e $BATS_TEST_TMPDIR/t/refused ]]; then
		rl rm -f c
		skip "the container may not unshare its namespaces here (its capabilities or seccomp refuse it): nothing for rl exec to get wrong"
	fi
	wait_for "$BATS_TEST_TMPDIR/t/after"
	[[ $(<"$BATS_TEST_TMPDIR/t/before") != $(<"$BATS_TEST_TMPDIR/t/after") ]] || fail "unshare did not make a new uts namespace"
	run rl exec c sh -c 'hostname; readlink /proc/self/ns/uts /proc/self/ns/mnt'
	if [[ $status == 0 ]]; then
		[[ ${lines[0]} == original || ${lines[0]} == changed ]] || fail "$output"
		[[ ${lines[1]} != $(readlink /proc/self/ns/uts) ]] || fail "rl exec joined the host's uts namespace"
		[[ ${lines[2]} != $(readlink /proc/self/ns/mnt) ]] || fail "rl exec joined the host's mount namespace"
	else
		one_line_error
	fi
	rl rm -f c
}

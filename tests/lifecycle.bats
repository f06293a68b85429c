#!/usr/bin/env bats
# Containers without a daemon: run -d under a monitor, ps, logs, stop,
# kill, rm, wait, create/start, restart policies, inspect, exec.

load helpers
bats_require_minimum_version 1.5.0

teardown() {
	# Every test removes its containers; this catches a failed one.
	remove_all_containers
	assert_nothing_left
}

# ready: a fifo, mounted at /t/ready by `detach -v "$BATS_TEST_TMPDIR:/t"`,
# that the container writes to once it is ready; wait_ready reads it.
wait_ready() { timeout 20 cat "$BATS_TEST_TMPDIR/ready" >/dev/null; }

@test "run -d prints the id and returns; the container runs on after the shell that started it exits" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	# The starting shell exits at once; the container outlives it.
	bash -c "exec $RL_BIN --root $RL_TEST_ROOT --runroot $RL_TEST_RUNROOT run -d --name bg --network none --rootfs $ROOTFS -v $BATS_TEST_TMPDIR:/t sh -c 'echo > /t/ready; exec sleep 1000' > $BATS_TEST_TMPDIR/id"
	wait_ready
	[[ $(cat "$BATS_TEST_TMPDIR/id") =~ ^[0-9a-f]{64}$ ]]
	run rl ps --format '{{.Names}} {{.State}}'
	expect_status 0
	[[ $output == "bg running" ]]
	# The monitor is in a session of its own, named after the container.
	pgrep -f "^rl monitor $(cut -c1-12 "$BATS_TEST_TMPDIR/id")"
	run rl rm -f bg
	expect_status 0
	[[ $output == bg ]]
}

@test "logs: stdout and stderr apart, --tail, -t, --since, and nothing for a container that printed nothing" {
	detach --name talk sh -c 'echo one; echo two >&2; echo three; printf tail-without-newline'
	run rl wait talk
	[[ $output == 0 ]]
	rl logs talk >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	[[ $(cat "$BATS_TEST_TMPDIR/out") == $'one\nthree\ntail-without-newline' ]]
	[[ $(cat "$BATS_TEST_TMPDIR/err") == two ]]
	run rl logs --tail 1 talk
	[[ $output == tail-without-newline ]]
	run rl logs -t talk
	[[ $(grep ' one$' <<<"$output") =~ ^20[0-9-]+T[0-9:.]+(Z|[+-][0-9:]+)\ one$ ]] || fail "no timestamp: $output"
	run rl logs --since "$(date -d '+1 hour' --rfc-3339=seconds | tr ' ' T)" talk
	expect_status 0
	[[ -z $output ]]
	detach --name quiet true
	rl wait quiet
	run rl logs quiet
	expect_status 0
	[[ -z $output ]]
	rl rm talk quiet
}

@test "logs -f follows the output until the container exits" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/go"
	detach --name follow -v "$BATS_TEST_TMPDIR:/t" sh -c 'echo before; read x < /t/go; echo after'
	rl logs -f follow >"$BATS_TEST_TMPDIR/followed" &
	logs=$!
	# logs -f has printed "before" and waits for more.
	for _ in $(seq 200); do grep -q before "$BATS_TEST_TMPDIR/followed" && break; sleep 0.05; done
	echo go >"$BATS_TEST_TMPDIR/go"
	# It returns by itself once the container has exited.
	timeout 20 tail --pid "$logs" -f /dev/null
	wait "$logs"
	[[ $(cat "$BATS_TEST_TMPDIR/followed") == $'before\nafter' ]]
	rl rm follow
}

@test "a container that writes 200 MB loses nothing and is not held up" {
	# 2 000 000 lines of 99 characters and a newline.
	detach --name loud sh -c 'yes 012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678 | head -n 2000000'
	run rl wait loud
	[[ $output == 0 ]]
	[[ $(rl logs loud | wc -c) == 200000000 ]]
	[[ $(rl logs loud | sort -u | wc -l) == 1 ]]
	rl rm loud
}

@test "stop: SIGTERM reaches a command that traps it; one that ignores it is killed after -t; a stopped one is fine" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	detach --name polite -v "$BATS_TEST_TMPDIR:/t" sh -c 'trap "echo got-term; exit 3" TERM; echo > /t/ready; while :; do sleep 0.1; done'
	wait_ready
	run rl stop polite
	expect_status 0
	[[ $output == polite ]]
	run rl inspect --format '{{.State.Status}} {{.State.ExitCode}}' polite
	[[ $output == "exited 3" ]]
	run rl logs polite
	[[ $output == got-term ]]
	# sh as PID 1 without a trap ignores SIGTERM: killed after 1 s.
	detach --name stubborn sleep 1000
	run rl stop -t 1 stubborn
	expect_status 0
	run rl inspect --format '{{.State.ExitCode}}' stubborn
	[[ $output == 137 ]]
	run rl stop stubborn
	expect_status 0
	[[ $output == stubborn ]]
	run rl stop -t -2 stubborn
	one_line_error
	run rl restart -t -2 stubborn
	one_line_error
	rl rm polite stubborn
}

@test "kill sends a signal; kill of a container that does not run fails with 125" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	detach --name k -v "$BATS_TEST_TMPDIR:/t" sh -c 'trap "echo usr1; exit 4" USR1; echo > /t/ready; while :; do sleep 0.1; done'
	wait_ready
	run rl kill -s USR1 k
	expect_status 0
	run rl wait k
	[[ $output == 4 ]]
	run rl kill k
	one_line_error
	expect_output_has "is not running"
	run rl kill -s NOSUCH k
	one_line_error
	rl rm k
}

@test "rm: a running container needs -f; rm -f leaves no process, mount or file behind; two at once both succeed" {
	detach --name busy sleep 1000
	# podman's exit codes: 2 for a running container, 1 for a missing one.
	run rl rm busy
	expect_status 2
	expect_output_has "rl rm -f"
	run rl ps -q
	[[ $output == "${id:0:12}" ]]
	rl rm -f busy &
	first=$!
	run rl rm -f busy
	wait "$first"
	expect_status 0
	run rl ps -aq
	[[ -z $output ]]
	run rl rm busy
	expect_status 1
	expect_output_has "no such container"
}

@test "wait prints the exit code, also of a container removed as it exited (--rm)" {
	detach --name seven sh -c 'exit 7'
	run rl wait seven
	expect_status 0
	[[ $output == 7 ]]
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/go"
	detach --rm --name gone -v "$BATS_TEST_TMPDIR:/t" sh -c 'read x < /t/go; exit 9'
	# By its id: the name goes with the container.
	rl wait "$id" >"$BATS_TEST_TMPDIR/code" &
	waiter=$!
	echo go >"$BATS_TEST_TMPDIR/go"
	wait "$waiter"
	[[ $(cat "$BATS_TEST_TMPDIR/code") == 9 ]]
	run rl ps -a --format '{{.Names}}'
	[[ $output == seven ]]
	rl rm seven
}

@test "create, then start; start -a prints the output and exits with the code; restart runs it again" {
	run rl create --name later --network none --rootfs "$ROOTFS" sh -c 'echo ran; exit 6'
	expect_status 0
	run rl ps -a --format '{{.Names}} {{.Status}}'
	[[ $output == "later Created" ]]
	run rl start -a later
	expect_status 6
	[[ $output == ran ]]
	run rl restart later
	expect_status 0
	rl wait later
	run rl logs later
	[[ $output == $'ran\nran' ]]
	rl rm later
}

@test "--restart on-failure:2 restarts a failing command twice; always is ended by rl stop for good" {
	detach --name flaky --restart on-failure:2 sh -c 'echo try; exit 1'
	run rl wait flaky
	[[ $output == 1 ]]
	run rl inspect --format '{{.State.RestartCount}} {{.State.Status}}' flaky
	[[ $output == "2 exited" ]]
	run rl logs flaky
	[[ $output == $'try\ntry\ntry' ]]
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	detach --name forever --restart always -v "$BATS_TEST_TMPDIR:/t" sh -c 'echo > /t/ready; exit 0'
	wait_ready
	wait_ready # it was started again
	run rl stop forever
	expect_status 0
	run rl inspect --format '{{.State.Status}}' forever
	[[ $output == exited ]]
	run rl run --rm --restart always --network none --rootfs "$ROOTFS" true
	one_line_error
	run rl run -d --restart sometimes --network none --rootfs "$ROOTFS" true
	one_line_error
	run rl run -d --preserve-fds 1 --network none --rootfs "$ROOTFS" true 3</dev/null
	one_line_error
	expect_output_has "run it in the foreground"
	rl rm flaky forever
}

@test "ps: -a, -q, filters and formats; inspect: state, config, mounts and ports" {
	detach --name alpha -e COLOR=blue -w /tmp sleep 1000
	alpha=$id
	detach --name beta true
	rl wait beta
	run rl ps --format '{{.Names}}'
	[[ $output == alpha ]]
	run rl ps -a --format '{{.Names}}'
	[[ $output == $'beta\nalpha' ]]
	run rl ps -a --filter status=exited -q
	[[ $output == "${id:0:12}" ]]
	run rl ps -a --filter name=^al --no-trunc -q
	[[ $output == "$alpha" ]]
	run rl ps -a --format json
	[[ $(jq -r '.[0].Names' <<<"$output") == beta ]]
	run rl ps --filter nosuch=1
	one_line_error
	run rl inspect alpha
	expect_status 0
	[[ $(jq -r '.[0].State.Status' <<<"$output") == running ]]
	[[ $(jq -r '.[0].State.Pid' <<<"$output") -gt 1 ]]
	[[ $(jq -r '.[0].Config.WorkingDir' <<<"$output") == /tmp ]]
	jq -e '.[0].Config.Env | index("COLOR=blue")' <<<"$output"
	[[ $(jq -r '.[0].Name' <<<"$output") == alpha ]]
	run rl inspect --format '{{.Id}}' "${alpha:0:5}"
	[[ $output == "$alpha" ]]
	run rl inspect nosuch
	one_line_error
	rl rm -f alpha beta
}

@test "names: generated when not given and unique; a clash is refused with 125 and keeps the first" {
	detach true
	first=$id
	detach true
	run rl ps -a --format '{{.Names}}'
	[[ ${lines[0]} =~ ^[a-z]+_[a-z]+[0-9]*$ && ${lines[0]} != "${lines[1]}" ]]
	detach --name same true
	run rl run -d --name same --network none --rootfs "$ROOTFS" true
	one_line_error
	expect_output_has "already in use"
	[[ $(rl ps -aq | wc -l) == 3 ]]
	rl rm "$first" "$id"
	rl rm $(rl ps -aq)
}

@test "a container whose monitor was killed shows as exited, not running; rm -f cleans it up" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	detach --name orphan -v "$BATS_TEST_TMPDIR:/t" sh -c 'echo > /t/ready; exec sleep 1000'
	wait_ready
	monitor=$(rl inspect --format '{{.State.MonitorPid}}' orphan)
	kill -KILL "$monitor"
	timeout 20 tail --pid "$monitor" -f /dev/null
	run rl ps -a --format '{{.Names}} {{.State}} {{.Status}}'
	[[ $output == "orphan exited Exited (unknown)"* ]] || fail "$output"
	run rl inspect --format '{{.State.Error}}' orphan
	expect_output_has "monitor"
	run rl rm -f orphan
	expect_status 0
}

@test "exec: same namespaces as the container, the container's environment, -e -w -u, rl run's exit codes" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	detach --name box --hostname boxy -e FROM_RUN=1 -v "$BATS_TEST_TMPDIR:/t" sh -c 'echo $$ > /tmp/pid1; echo > /t/ready; exec sleep 1000'
	wait_ready
	run rl exec box sh -c 'hostname; cat /tmp/pid1; cat /proc/1/cmdline | tr "\0" " "; echo; echo $FROM_RUN; id -u; pwd'
	expect_status 0
	[[ ${lines[0]} == boxy ]]
	[[ ${lines[1]} == 1 ]]
	[[ ${lines[2]} == "sleep 1000 " ]]
	[[ ${lines[3]} == 1 ]]
	[[ ${lines[4]} == 0 ]]
	[[ ${lines[5]} == / ]]
	# One network, IPC and cgroup namespace: the same ids as PID 1's.
	run rl exec box sh -c 'for n in net ipc uts cgroup mnt pid user; do [ "$(readlink /proc/1/ns/$n)" = "$(readlink /proc/self/ns/$n)" ] || echo "differs: $n"; done; echo checked'
	[[ $output == checked ]]
	run rl exec -e FOO=bar -w /tmp -u 1000:1000 box sh -c 'echo $FOO; pwd; id -u; id -g'
	expect_status 0
	[[ $output == $'bar\n/tmp\n1000\n1000' ]]
	run rl exec box sh -c 'exit 42'
	expect_status 42
	run -127 rl exec box /nosuch
	run -126 rl exec box /etc
	echo hello | rl exec -i box cat >"$BATS_TEST_TMPDIR/echoed"
	[[ $(cat "$BATS_TEST_TMPDIR/echoed") == hello ]]
	run rl exec nosuch true
	one_line_error
	rl stop -t 0 box
	run rl exec box true
	one_line_error
	expect_output_has "is not running"
	rl rm box
}

@test "exec -d prints a session id and leaves the command running; exec without a command, or -d of a missing one, exits 125" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	detach --name bg -v "$BATS_TEST_TMPDIR:/t" sleep 1000
	run rl exec -d bg sh -c 'echo > /t/ready; exec sleep 999'
	expect_status 0
	[[ $output =~ ^[0-9a-f]{64}$ ]] || fail "exec -d printed: $output"
	wait_ready
	# The front end is gone; the command runs on in the container.
	run rl exec bg sh -c 'cat /proc/[0-9]*/cmdline | tr "\0" " "'
	expect_output_has "sleep 999"
	run rl exec -d bg /nosuch
	expect_status 125
	run rl exec bg
	expect_status 125
	expect_output_has "must provide a non-empty command to start an exec session"
	run rl exec
	expect_status 125
	# -t makes TERM xterm unless the environment says otherwise.
	run rl exec -t bg sh -c 'echo $TERM'
	[[ $output == xterm* ]] || fail "TERM: $output"
	run rl exec -t -e TERM=mine bg sh -c 'echo $TERM'
	[[ $output == mine* ]] || fail "TERM: $output"
	rl rm -f -t 0 bg
}

@test "exec -t gives the command a terminal of its own" {
	detach --name tty sleep 1000
	run script -qec "$RL_BIN --root $RL_TEST_ROOT --runroot $RL_TEST_RUNROOT exec -it tty sh -c 'tty; test -t 0 && echo stdin-tty; exit 3'" /dev/null </dev/null
	expect_status 3
	expect_output_has "/dev/pts/"
	expect_output_has "stdin-tty"
	rl rm -f tty
}

@test "rl ps while 20 containers start never fails and ends up listing all 20" {
	for i in $(seq 20); do
		rl run -d --network none --rootfs "$ROOTFS" sleep 1000 >/dev/null &
	done
	while jobs -r | grep -q .; do
		rl ps -a >/dev/null || fail "rl ps failed while containers started"
	done
	wait
	[[ $(rl ps -q | wc -l) == 20 ]]
	rl rm -f $(rl ps -aq) >/dev/null
}

@test "-dit keeps a shell running on its terminal; its output goes to the log" {
	detach -it --name shell sh -c 'echo on-a-tty; exec sh'
	run rl inspect --format '{{.State.Status}}' shell
	[[ $output == running ]]
	run rl exec shell sh -c 'ls /proc | grep -c "^[0-9]"'
	run rl logs shell
	expect_output_has on-a-tty
	rl rm -f shell
}

@test "kill -9 of rl at each step of run, run -d and rm leaves state that the next commands repair" {
	for point in create created spawned network indexed started monitor; do
		for mode in -d --rm; do
			# Detached, the container would run on; in the foreground it
			# must end by itself when the point is not on its path.
			cmd=(sleep 1000)
			if [[ $mode == --rm ]]; then cmd=(true); fi
			RL_TEST_CRASH_AT=$point run rl run $mode --name "crash-$point" --rootfs "$ROOTFS" "${cmd[@]}"
			# Killed (137), or, with -d, the front end saw its monitor die
			# (125), or the point is not on this path (0).
			[[ $status == 137 || $status == 125 || $status == 0 ]] || fail "$point $mode: status $status: $output"
			run rl ps -a --format '{{.Names}} {{.State}}'
			expect_status 0
			# Nothing claims to run without a live monitor.
			for name in $(rl ps --format '{{.Names}}'); do
				monitor=$(rl inspect --format '{{.State.MonitorPid}}' "$name")
				kill -0 "$monitor" || fail "$point $mode: $name is listed as running, its monitor $monitor is gone"
			done
			# The name is free again once the container is removed.
			run rl rm -f "crash-$point"
			expect_status 0
			run rl container prune
			expect_status 0
			run rl run --rm --name "crash-$point" --network none --rootfs "$ROOTFS" true
			expect_status 0
			assert_nothing_left || fail "after a crash at $point ($mode)"
		done
	done
	# The purge process (rl purge), killed half way after rl rm and
	# run --rm have returned, leaves files that only repair removes.
	rl create --name purged --network none --rootfs "$ROOTFS" true >/dev/null
	RL_TEST_CRASH_AT=purge rl rm purged
	RL_TEST_CRASH_AT=purge rl run --rm --name purged --network none --rootfs "$ROOTFS" true
	flock "$RL_TEST_RUNROOT/purging" true
	[[ -z $(rl ps -aq) ]]
	[[ $(find "$RL_TEST_ROOT/containers" -mindepth 1 -maxdepth 1 | wc -l) == 2 ]] || fail "a killed purge removed the files"
	rl container prune
	assert_nothing_left || fail "after a purge killed half way"
	rl create --name doomed --network none --rootfs "$ROOTFS" true >/dev/null
	RL_TEST_CRASH_AT=remove run rl rm doomed
	[[ $status == 137 ]]
	run rl ps -aq
	[[ -z $output ]]
	rl container prune
	run rl create --name doomed --network none --rootfs "$ROOTFS" true
	expect_status 0
	rl rm doomed
}

@test "the purge after --rm and rm removes deep trees, directories that deny their owner and files of subordinate ids" {
	# rl-init's purge removes the first two itself and leaves the others
	# to rl's (the user namespace): the teardown checks that nothing is left.
	rl_run --network none sh -c 'mkdir -p /deep && cd /deep && for i in $(seq 140); do mkdir d && cd d; done && touch f'
	expect_status 0
	rl_run --network none sh -c 'mkdir -p /shut/in && touch /shut/in/f && chmod 0 /shut/in /shut'
	expect_status 0
	rl create --name owned --network none --rootfs "$ROOTFS" sh -c 'mkdir /o && touch /o/f && chown -R 1234:1234 /o' >/dev/null
	rl start -a owned
	rl rm owned
	flock "$RL_TEST_RUNROOT/purging" true
	[[ -z $(find "$RL_TEST_ROOT/containers" "$RL_TEST_RUNROOT/containers" -mindepth 1 -maxdepth 1) ]] || fail "files left after the purge"
}

@test "rl ps finds the running containers by the active index, rebuilt when it is missing or half built" {
	detach --name up sleep 1000
	rl create --name idle --network none --rootfs "$ROOTFS" true >/dev/null
	run rl ps --format '{{.Names}}'
	[[ $output == up ]] || fail "$output"
	# As a reboot or a logout empties the run root, and rl killed while
	# it builds the index leaves it.
	rm -rf "$RL_TEST_RUNROOT/active"
	RL_TEST_CRASH_AT=index run rl ps
	[[ $status == 137 ]] || fail "status $status: $output"
	rm "$RL_TEST_RUNROOT/active/$id"
	run rl ps --format '{{.Names}}'
	[[ $output == up ]] || fail "after a half-built index: $output"
	# A monitor killed before it recorded the exit leaves its entry:
	# the container is exited, and the next rl ps drops the entry.
	monitor=$(rl inspect --format '{{.State.MonitorPid}}' up)
	kill -KILL "$monitor"
	timeout 20 tail --pid "$monitor" -f /dev/null
	run rl ps -q
	[[ -z $output ]] || fail "listed with a dead monitor: $output"
	[[ ! -e $RL_TEST_RUNROOT/active/$id ]] || fail "rl ps left the entry of a container that does not run"
	rl rm -f up idle >/dev/null
}

@test "top lists the container's processes, and only those" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	detach --name topped -v "$BATS_TEST_TMPDIR:/t" sh -c 'sleep 1001 & echo > /t/ready; exec sleep 1002'
	wait_ready
	run rl top topped
	expect_status 0
	expect_output_has "sleep 1001"
	expect_output_has "sleep 1002"
	[[ ${#lines[@]} == 3 ]] || fail "want a header and two processes: $output"
	run rl top topped -o pid,comm
	expect_status 0
	[[ ${lines[0]} == *PID*COMMAND* ]]
	rl rm -f topped
	run rl top topped
	one_line_error
}

@test "--health-cmd: the monitor checks the container; ps and inspect show healthy, then unhealthy" {
	detach --name checked --health-cmd 'test ! -e /tmp/broken' --health-interval 100ms --health-retries 2 sleep 1000
	for _ in $(seq 100); do
		[[ $(rl inspect --format '{{.State.Health.Status}}' checked) == healthy ]] && break
		sleep 0.1
	done
	run rl ps --format '{{.Status}}'
	[[ $output == *"(healthy)" ]] || fail "$output"
	rl exec checked touch /tmp/broken
	for _ in $(seq 100); do
		[[ $(rl inspect --format '{{.State.Health.Status}}' checked) == unhealthy ]] && break
		sleep 0.1
	done
	run rl ps --filter health=unhealthy --format '{{.Names}}'
	[[ $output == checked ]]
	run rl inspect --format '{{.State.Health.FailingStreak}}' checked
	((output >= 2))
	run rl run -d --health-cmd true --health-retries 0 --network none --rootfs "$ROOTFS" true
	one_line_error
	rl rm -f checked
}

@test "run -d that cannot start: rl's one line with its hint, exit 126 for a port in use (podman's); kept as podman keeps it, gone with --rm" {
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$port" &
	holder=$!
	for _ in $(seq 200); do ss -ltn | grep -q "127.0.0.1:$port " && break; sleep 0.05; done
	run rl run -d --rm --name gone -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" sleep 1000
	expect_status 126
	[[ ${#lines[@]} == 1 ]] || fail "$output"
	expect_output_has "(hint: another process holds that host port"
	run rl run -d --name kept -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" sleep 1000
	kill "$holder"
	expect_status 126
	run rl ps -a --format '{{.Names}}'
	[[ $output == kept ]] || fail "ps -a: $output"
	run rl rm kept
	expect_status 0
}

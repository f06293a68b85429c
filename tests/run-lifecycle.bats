#!/usr/bin/env bats
# run/create's lifecycle flags: --log-driver/--log-opt and rl logs,
# --attach, --timeout, --stop-signal/--stop-timeout, --replace,
# --detach-keys, the health flags, and --userns=keep-id's exec and passwd.

load helpers
bats_require_minimum_version 1.5.0

teardown() {
	remove_all_containers
	assert_nothing_left
}

# crun ARGS...: rl run --network none --rootfs $ROOTFS ARGS... under run.
crun() {
	run rl run --network none --rootfs "$ROOTFS" "$@"
}

@test "--log-driver k8s-file and json-file: a foreground run is logged in the CRI format, rl logs prints it" {
	for driver in k8s-file json-file; do
		crun --name c-$driver --log-driver $driver sh -c 'echo out-line; echo err-line >&2'
		expect_status 0
		[[ $output == *out-line* && $output == *err-line* ]] || fail "not shown: $output"
		run rl inspect --format '{{.HostConfig.LogConfig.Type}} {{.HostConfig.LogConfig.Path}}' c-$driver
		expect_status 0
		[[ ${output%% *} == "$driver" ]] || fail "type: $output"
		local path=${output#* }
		grep -Eq '^[0-9-]+T[0-9:.]+([+-][0-9:]+|Z) stdout F out-line$' "$path" || fail "log: $(cat "$path")"
		grep -Eq ' stderr F err-line$' "$path"
		run --separate-stderr rl logs c-$driver
		expect_status 0
		[[ $output == out-line && $stderr == err-line ]] || fail "logs: $output / $stderr"
		rl rm c-$driver >/dev/null
	done
}

@test "--log-driver none and passthrough keep no log: rl logs refuses as podman does" {
	for driver in none passthrough; do
		crun --name c-$driver --log-driver $driver echo hi </dev/null
		expect_status 0
		[[ $output == hi ]] || fail "output: $output"
		run rl inspect --format '[{{.HostConfig.LogConfig.Path}}]' c-$driver
		[[ $output == "[]" ]] || fail "path: $output"
		run rl logs c-$driver
		one_line_error
		expect_output_has "this container is using the '$driver' log driver, cannot read logs"
		rl rm c-$driver >/dev/null
	done
	# passthrough gives the container rl's own stdio.
	run bash -c "$RL_BIN --root $RL_TEST_ROOT --runroot $RL_TEST_RUNROOT run --rm --network none --rootfs $ROOTFS --log-driver passthrough readlink /proc/self/fd/1 </dev/null | cat"
	expect_status 0
	[[ $output == pipe:* ]] || fail "fd 1: $output"
}

@test "bad lifecycle values get one line, exit 125, and create nothing" {
	for args in "--log-driver syslog" "--log-driver journald" "--log-opt max-size" "--log-opt max-size=lots" \
		"--log-opt path=rel/ative" "--stop-signal NOPE" "--stop-timeout -1" "--timeout -2" "--detach-keys ctrl-" \
		"-a stdio" "--health-timeout soon" "--health-start-period -1s" "--health-on-failure explode" \
		"--health-on-failure kill" "--replace" "--log-driver passthrough -a stdout" "-d --log-driver passthrough"; do
		# shellcheck disable=SC2086 # split on purpose
		run rl run --network none --rootfs "$ROOTFS" $args true </dev/null
		one_line_error
		# shellcheck disable=SC2086
		run rl create --network none --rootfs "$ROOTFS" $args true </dev/null
		one_line_error
	done
	run rl ps -aq
	[[ -z $output ]] || fail "created: $output"
	run rl logs --since yesterday nothing
	one_line_error
}

@test "--log-opt path= puts the log there; max-size starts it afresh once it would grow past the size" {
	crun --name p --log-opt path="$BATS_TEST_TMPDIR/my.log" --log-opt max-size=1k sh -c 'i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done'
	expect_status 0
	[[ ${#lines[@]} == 200 ]] || fail "printed ${#lines[@]} lines"
	local size
	size=$(stat -c %s "$BATS_TEST_TMPDIR/my.log")
	((size > 0 && size <= 1000)) || fail "log size $size"
	tail -1 "$BATS_TEST_TMPDIR/my.log" | grep -q ' stdout F line-199$'
	run rl inspect --format '{{.HostConfig.LogConfig.Path}} {{.HostConfig.LogConfig.Size}}' p
	[[ $output == "$BATS_TEST_TMPDIR/my.log 1kB" ]] || fail "inspect: $output"
	run rl logs --tail 1 p
	[[ $output == line-199 ]] || fail "logs: $output"
	rl rm p >/dev/null
}

@test "rl logs --tail puts partial records together; -t prints their time" {
	crun --name t echo hi
	local path
	path=$(rl inspect --format '{{.HostConfig.LogConfig.Path}}' t)
	local ts=2026-01-02T03:04:05.000000006Z cr=$'\r'
	printf '%s stdout F one%s\n%s stdout P two\n%s stdout F %s\n%s stdout F three%s\n' "$ts" "$cr" "$ts" "$ts" "$cr" "$ts" "$cr" >"$path"
	run rl logs --tail 1 t
	[[ $output == "three$cr" ]] || fail "tail 1: $(cat -v <<<"$output")"
	run rl logs --tail 2 t
	[[ $output == "two$cr"$'\n'"three$cr" ]] || fail "tail 2: $(cat -v <<<"$output")"
	run rl logs --tail 5 t
	[[ ${#lines[@]} == 3 ]] || fail "tail 5: $output"
	run rl logs -t --tail 1 t
	[[ $output == "$ts three$cr" ]] || fail "-t: $(cat -v <<<"$output")"
	rl rm t >/dev/null
}

@test "rl logs --since and --until select by time (RFC 3339 with a comma, Unix seconds, durations)" {
	crun --name s echo hi
	local path
	path=$(rl inspect --format '{{.HostConfig.LogConfig.Path}}' s)
	printf '%s stdout F early\n%s stdout F late\n' 2026-01-01T10:00:00Z 2026-01-01T12:00:00Z >"$path"
	run rl logs --since 2026-01-01T11:00:00+00:00 s
	[[ $output == late ]] || fail "since: $output"
	run rl logs --until 2026-01-01T11:00:00,5+00:00 s
	[[ $output == early ]] || fail "until: $output"
	run rl logs --since 1767265200 s # 11:00 UTC
	[[ $output == late ]] || fail "since unix: $output"
	run rl logs --since 1s s
	[[ -z $output ]] || fail "since 1s: $output"
	rl rm s >/dev/null
}

@test "rl logs of several containers prefixes each line with the short id; logs -f --until ends" {
	run rl run -d --network none --rootfs "$ROOTFS" --name m1 sh -c 'echo a1; echo a2'
	local id1=${output:0:12}
	run rl run -d --network none --rootfs "$ROOTFS" --name m2 sh -c 'echo b1; echo b2'
	local id2=${output:0:12}
	rl wait m1 m2 >/dev/null
	run rl logs -f m1 m2
	expect_status 0
	[[ $output == *"$id1 a1"$'\n'"$id1 a2"* && $output == *"$id2 b1"$'\n'"$id2 b2"* ]] || fail "logs: $output"
	run rl logs m1 nosuch
	one_line_error
	expect_output_has "no such container"
	run rl run -d --network none --rootfs "$ROOTFS" --name m3 sh -c 'while :; do echo tick; sleep 0.2; done'
	local t0=$SECONDS
	run timeout 10 "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" logs -f --until 2s m3
	expect_status 0
	((SECONDS - t0 <= 5)) || fail "logs -f --until 2s took $((SECONDS - t0)) s"
	[[ ${lines[0]} == tick ]] || fail "logs: $output"
	rl rm -f m1 m2 m3 >/dev/null
}

@test "--attach: only the streams named reach the terminal, the rest the log; -a stdin prints the id" {
	run --separate-stderr rl run --network none --rootfs "$ROOTFS" --name a -a stderr sh -c 'echo out; echo err >&2'
	expect_status 0
	[[ -z $output && $stderr == err ]] || fail "-a stderr: [$output] [$stderr]"
	run rl logs a
	[[ $output == *out* ]] || fail "logs: $output"
	run rl run --network none --rootfs "$ROOTFS" --name b --attach stdin sh -c 'echo hidden; exit 3'
	expect_status 3
	[[ $output == "$(rl inspect --format '{{.Id}}' b)" ]] || fail "-a stdin: $output"
	rl rm a b >/dev/null
}

@test "--timeout kills the container: exit 255, exited with -1" {
	local t0=$SECONDS
	crun --name to --timeout 1 sleep 60
	expect_status 255
	((SECONDS - t0 < 10)) || fail "took $((SECONDS - t0)) s"
	run rl inspect --format '{{.State.Status}} {{.State.ExitCode}}' to
	[[ $output == "exited -1" ]] || fail "state: $output"
	rl rm to >/dev/null
}

@test "rl stop sends --stop-signal and waits --stop-timeout" {
	run rl run -d --network none --rootfs "$ROOTFS" --name sig --stop-signal USR1 sh -c 'trap "echo got-usr1; exit 7" USR1; echo ready; while :; do sleep 0.1; done'
	expect_status 0
	for _ in $(seq 100); do [[ $(rl logs sig) == ready ]] && break; sleep 0.1; done
	run rl stop sig
	expect_status 0
	run rl logs sig
	[[ $output == *got-usr1* ]] || fail "logs: $output"
	run rl inspect --format '{{.State.ExitCode}}' sig
	[[ $output == 7 ]] || fail "exit: $output"
	# A container that ignores SIGTERM is killed after its --stop-timeout
	# when rl stop has no -t.
	run rl run -d --network none --rootfs "$ROOTFS" --name grace --stop-timeout 1 sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	local t0=$SECONDS
	run rl stop grace
	expect_status 0
	((SECONDS - t0 < 5)) || fail "stop took $((SECONDS - t0)) s"
	rl rm -f sig grace >/dev/null
}

@test "--replace removes the container of that name first; --detach-keys '' is accepted" {
	run rl run -d --network none --rootfs "$ROOTFS" --name r sleep 100
	local first=$output
	run rl run -d --network none --rootfs "$ROOTFS" --name r sleep 100
	expect_status 125
	run rl run -d --network none --rootfs "$ROOTFS" --name r --replace sleep 100
	expect_status 0
	[[ $output != "$first" ]]
	run rl ps -aq --no-trunc
	[[ $output == "${lines[0]}" && ${#lines[@]} == 1 ]] || fail "containers: $output"
	crun --rm --detach-keys "" echo success
	[[ $output == success ]]
	crun --rm --health-cmd true --health-timeout 5s --health-start-period 1s --health-on-failure none echo ok
	expect_status 0
	rl rm -f r >/dev/null
}

@test "--userns=keep-id: rl exec joins it, the caller is in /etc/passwd and /etc/group, which stay modifiable" {
	rootless_because "--userns=keep-id has no effect for root"
	local me
	me=$(id -un)
	run rl run -d --network none --rootfs "$ROOTFS" --name k --userns=keep-id --cap-add dac_override sh -c 'echo ready; exec sleep 1000'
	expect_status 0
	run rl exec k id -un
	expect_status 0
	[[ $output == "$me" ]] || fail "exec id -un: $output"
	run rl exec k grep "^$me:" /etc/passwd /etc/group
	[[ $output == *"/etc/passwd:$me:*:$(id -u):$(id -g)::/:/bin/sh"* ]] || fail "passwd: $output"
	[[ $output == *"/etc/group:"*":x:$(id -g):$me"* ]] || fail "group: $output"
	run rl exec --user 0 k sh -c 'echo "newuser:x:4242:0::/:/bin/sh" >> /etc/passwd && tail -1 /etc/passwd'
	[[ $output == newuser:x:4242:0::/:/bin/sh ]] || fail "modify: $output"
	rl rm -f k >/dev/null
	crun --rm --userns=keep-id -w /home/alice sh -c 'echo $HOME'
	[[ $output == /home/alice ]] || fail "HOME: $output"
}

@test "--pod new:NAME makes the pod first, and removes it when the container cannot be made" {
	run rl run --rm --network none --pod new:pn --rootfs "$ROOTFS" hostname
	expect_status 0
	local host=$output
	run rl pod inspect pn
	expect_status 0
	run rl pod ps
	[[ $output == *" pn "* ]] || fail "pods: $output"
	rl pod rm -f pn >/dev/null
	[[ -n $host ]]
	run rl run -d --network none --name taken --rootfs "$ROOTFS" sleep 100
	run rl run --rm --network none --pod new:pn2 --name taken --rootfs "$ROOTFS" true
	one_line_error
	expect_output_has "already in use"
	run rl pod inspect pn2
	[[ $status != 0 ]] || fail "pod pn2 left behind"
	run rl run --rm --pod new: --rootfs "$ROOTFS" true
	one_line_error
	rl rm -f taken >/dev/null
}

# wait_status NAME STATUS: poll (20 s at most) until the container's
# status is STATUS.
wait_status() {
	for _ in $(seq 200); do
		[[ $(rl inspect --format '{{.State.Status}}' "$1") == "$2" ]] && return 0
		sleep 0.1
	done
	fail "$1 is $(rl inspect --format '{{.State.Status}}' "$1"), not $2"
}

@test "--health-on-failure kill ends an unhealthy container, restart starts it again; --health-start-period forgives" {
	run rl run -d --network none --rootfs "$ROOTFS" --name hk --health-cmd false --health-interval 1s --health-retries 1 --health-on-failure kill sleep 1000
	expect_status 0
	wait_status hk exited
	run rl run -d --network none --rootfs "$ROOTFS" --name hr --health-cmd false --health-interval 1s --health-retries 1 --health-on-failure restart sleep 1000
	for _ in $(seq 200); do
		(($(rl inspect --format '{{.State.RestartCount}}' hr) > 0)) && break
		sleep 0.1
	done
	(($(rl inspect --format '{{.State.RestartCount}}' hr) > 0)) || fail "not restarted"
	run rl run -d --network none --rootfs "$ROOTFS" --name hs --health-cmd false --health-interval 1s --health-retries 1 --health-start-period 1h --health-on-failure kill sleep 1000
	for _ in $(seq 100); do
		[[ $(rl inspect --format '{{len .State.Health.Log}}' hs 2>/dev/null) -ge 2 ]] && break
		sleep 0.1
	done
	run rl inspect --format '{{.State.Status}} {{.State.Health.Status}}' hs
	[[ $output == "running starting" ]] || fail "start period: $output"
	rl rm -f hk hr hs >/dev/null
}

@test "a logged foreground run whose reader goes away ends the container, not rl" {
	run bash -c "$RL_BIN --root $RL_TEST_ROOT --runroot $RL_TEST_RUNROOT run --name yy --network none --rootfs $ROOTFS yes | head -1; echo \"rl=\${PIPESTATUS[0]}\""
	[[ ${lines[0]} == y && ${lines[-1]} != rl=141 ]] || fail "output: $output"
	run rl inspect --format '{{.State.Status}}' yy
	[[ $output == exited ]] || fail "state: $output"
	rl rm yy >/dev/null
}

#!/usr/bin/env bats
# rl run/create flags that shape the container's process and record:
# labels, ulimits, umask, groups, oom_score_adj, time zone, working
# directory, entrypoint, cgroup namespace, /run/.containerenv, as podman.

load helpers
bats_require_minimum_version 1.5.0

# one_line_error_nothing_made: one "rl: " line, 125, and no container.
one_line_error_nothing_made() {
	one_line_error
	local left
	left=$(rl ps -a -q) || fail "rl ps failed: $left"
	[[ -z $left ]] || fail "a container was left: $left"
}

@test "--label, -l and --label-file label the container" {
	printf '# comment\n\nfrom_file=f\nboth=file\nbare\n' >"$BATS_TEST_TMPDIR/labels"
	run rl create --rootfs "$ROOTFS" --label-file "$BATS_TEST_TMPDIR/labels" -l both=flag --label empty --label 'k=a=b' --name lab true
	expect_status 0
	run rl inspect --format '{{index .Config.Labels "from_file"}}|{{index .Config.Labels "both"}}|{{index .Config.Labels "k"}}|{{len .Config.Labels}}' lab
	expect_status 0
	[[ $output == "f|flag|a=b|4" ]] || fail "labels: $output"
	run rl rm lab
	expect_status 0
}

@test "bad labels are refused with one line and nothing made" {
	rl_run --label '=x' true
	one_line_error_nothing_made
	expect_output_has 'no name before "="'
	run rl run --rm --rootfs "$ROOTFS" --label-file "$BATS_TEST_TMPDIR/missing" true
	one_line_error_nothing_made
	printf 'ok=1\n=bad\n' >"$BATS_TEST_TMPDIR/bad"
	run rl run --rm --rootfs "$ROOTFS" --label-file "$BATS_TEST_TMPDIR/bad" true
	one_line_error_nothing_made
	expect_output_has "line 2"
}

@test "--ulimit sets limits; -1 is the caller's hard limit" {
	rl_run --ulimit nofile=100:200 --ulimit RLIMIT_CORE=-1 sh -c 'echo $(ulimit -n) $(ulimit -Hn) $(ulimit -c) $(ulimit -Hc)'
	expect_status 0
	core=$(ulimit -Hc)
	[[ $output == "100 200 $core $core" ]] || fail "limits: $output (core hard limit here: $core)"
	rl_run --ulimit core=0:-1 sh -c 'echo $(ulimit -c) $(ulimit -Hc)'
	[[ $output == "0 $core" ]] || fail "core=0:-1: $output"
}

@test "default ulimits: nofile and nproc at 1048576, clamped to the caller's" {
	rl_run sh -c 'echo $(ulimit -Hn) $(ulimit -n) $(ulimit -Hu)'
	expect_status 0
	nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
	[[ $nofile == unlimited || $nofile -gt 1048576 ]] && nofile=1048576
	[[ $nproc == unlimited || $nproc -gt 1048576 ]] && nproc=1048576
	[[ $output == "$nofile $nofile $nproc" ]] || fail "defaults: $output, want $nofile $nofile $nproc"
	# A lower hard limit of the caller is what the container gets.
	run bash -c 'ulimit -n 500 && exec "$@"' _ "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" \
		run --rm --rootfs "$ROOTFS" sh -c 'ulimit -Hn'
	expect_status 0
	[[ $output == 500 ]] || fail "clamped: $output"
}

@test "--ulimit shows in inspect" {
	run rl create --rootfs "$ROOTFS" --name lim --ulimit core=-1:-1 true
	expect_status 0
	run rl inspect --format '{{range .HostConfig.Ulimits}}{{.Name}}={{.Soft}}:{{.Hard}} {{end}}' lim
	expect_status 0
	expect_output_has "RLIMIT_CORE=-1:-1"
	expect_output_has "RLIMIT_NOFILE="
	run rl rm lim
	expect_status 0
}

@test "bad --ulimit values are refused with one line and nothing made" {
	for u in nofile=abc core=-1:1000 bogus=1 nofile nofile=20:10 nofile=-2; do
		rl_run --ulimit "$u" true
		one_line_error_nothing_made
		expect_output_has "invalid --ulimit \"$u\""
	done
}

@test "--umask" {
	rl_run sh -c 'umask'
	[[ $output == 0022 ]] || fail "default umask: $output"
	rl_run --umask 077 sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
	expect_status 0
	[[ ${lines[0]} == 0077 && ${lines[1]} == 600 ]] || fail "--umask 077: $output"
	rl_run --umask 999 true
	one_line_error_nothing_made
}

@test "--group-add adds groups; keep-groups alone" {
	rl_run --group-add wheel --group-add 1000 id -G
	expect_status 0
	[[ " $output " == *" 10 "* && " $output " == *" 1000 "* ]] || fail "groups: $output"
	rl_run --group-add keep-groups id -u
	expect_status 0
	rl_run --group-add keep-groups --group-add wheel true
	one_line_error_nothing_made
	rl_run --group-add nosuchgroup true
	one_line_error_nothing_made
	expect_output_has "nosuchgroup"
}

@test "--oom-score-adj: raised as asked, a lower one clamped with a warning" {
	current=$(cat /proc/self/oom_score_adj)
	rl_run --oom-score-adj=$((current + 1)) cat /proc/self/oom_score_adj
	expect_status 0
	[[ $output == $((current + 1)) ]] || fail "oom_score_adj: $output"
	rl_run cat /proc/self/oom_score_adj
	[[ $output == "$current" ]] || fail "default oom_score_adj: $output"
	if [[ $current == -1000 ]]; then
		skip "oom_score_adj is -1000 already: nothing lower to clamp"
	fi
	rl_run --oom-score-adj=-1000 cat /proc/self/oom_score_adj
	expect_status 0
	expect_output_has "Requested oom_score_adj=-1000 is lower than the current one, changing to $current"
	[[ ${lines[-1]} == "$current" ]] || fail "clamped oom_score_adj: $output"
	rl_run --oom-score-adj=1001 true
	one_line_error_nothing_made
}

@test "--tz mounts the zone on /etc/localtime" {
	[[ -f /usr/share/zoneinfo/America/New_York ]] || skip "no zoneinfo on this host"
	rl_run --tz=Iceland --tz=America/New_York date -d @1600000000
	expect_status 0
	[[ $output == *"08:26:40 EDT 2020" ]] || fail "--tz America/New_York: $output"
	rl_run --tz=local date -d @1600000000 +%H:%M
	[[ $output == "$(date -d @1600000000 +%H:%M)" ]] || fail "--tz local: $output"
	for tz in No/Such_Zone ../../etc/passwd /etc/passwd; do
		rl_run --tz="$tz" true
		one_line_error_nothing_made
		expect_output_has "invalid --tz"
	done
}

@test "--workdir must exist, or be made by a mount; 126 otherwise" {
	run -126 rl run --rm --rootfs "$ROOTFS" --workdir /i/do/not/exist pwd
	expect_output_has 'workdir "/i/do/not/exist" does not exist on container'
	[[ ${#lines[@]} == 1 ]] || fail "not one line: $output"
	run -126 rl run --rm --rootfs "$ROOTFS" --workdir /etc/passwd pwd
	expect_output_has "but is not a directory"
	echo content >"$BATS_TEST_TMPDIR/content"
	rl_run --workdir /NotOnTheImage -v "$BATS_TEST_TMPDIR:/NotOnTheImage" cat content
	expect_status 0
	[[ $output == content ]] || fail "workdir on a volume: $output"
	rl_run --workdir /NotOnTheImage2 -v "$BATS_TEST_TMPDIR/content:/NotOnTheImage2/foo" cat foo
	expect_status 0
	[[ $output == content ]] || fail "workdir made by a mount below it: $output"
}

@test "--entrypoint takes a JSON array" {
	rl_run --entrypoint '["echo","a  b"]' c
	expect_status 0
	[[ $output == "a  b c" ]] || fail "JSON entrypoint: $output"
	run -127 rl run --rm --rootfs "$ROOTFS" --entrypoint '[echo' true
}

@test "/run/.containerenv: empty, named with --privileged, absent on a bind-mounted /run" {
	for opt in "" "--tmpfs=/run" "--read-only"; do
		# shellcheck disable=SC2086 # $opt is one flag or none
		rl_run $opt stat -c %s /run/.containerenv
		expect_status 0
		[[ $output == 0 ]] || fail "with '$opt': $output"
	done
	mkdir "$BATS_TEST_TMPDIR/ctrrun"
	rl_run -v "$BATS_TEST_TMPDIR/ctrrun:/run" test -e /run/.containerenv
	expect_status 1
	rl_run --privileged --name envy sh -c '. /run/.containerenv; echo $engine $name $rootless ${#id}'
	expect_status 0
	[[ $output == "rl envy 1 64" ]] || fail ".containerenv: $output"
}

@test "--cgroupns host keeps rl's cgroup namespace" {
	host=$(readlink /proc/self/ns/cgroup)
	rl_run --cgroupns host readlink /proc/self/ns/cgroup
	expect_status 0
	[[ $output == "$host" ]] || fail "--cgroupns host: $output, want $host"
	rl_run --cgroupns private readlink /proc/self/ns/cgroup
	[[ $output != "$host" ]] || fail "--cgroupns private shares $host"
	rl_run --cgroupns bogus true
	one_line_error_nothing_made
}

@test "--memory=0 is no limit; --kernel-memory warns; --device-cgroup-rule is refused" {
	rl_run --memory=0 --memory-reservation=0 echo hello
	expect_status 0
	[[ $output == hello ]] || fail "--memory=0: $output"
	rl_run --kernel-memory 100 true
	expect_status 0
	expect_output_has "The --kernel-memory flag is no longer supported. This flag is a noop."
	rl_run --device-cgroup-rule="b 7:* rmw" true
	one_line_error_nothing_made
	expect_output_has "device cgroup rules are not supported in rootless mode"
}

@test "a missing command: podman's words, 127" {
	run -127 rl run --rm --rootfs "$ROOTFS" /no/such/command
	expect_output_has "/no/such/command: no such file or directory"
	run -127 rl run --rm --rootfs "$ROOTFS" blahblah
	expect_output_has 'executable file `blahblah` not found in $PATH: no such file or directory'
	run -126 rl run --rm --rootfs "$ROOTFS" /etc
	expect_output_has "is a directory"
}

@test "--dns-opt replaces the options of resolv.conf" {
	rl_run --network host --dns-opt ndots:3 --dns-option rotate cat /etc/resolv.conf
	expect_status 0
	[[ $(grep -c '^options' <<<"$output") == 1 ]] || fail "options lines: $output"
	expect_output_has "options ndots:3 rotate"
	rl_run --dns-opt 'a b' true
	one_line_error_nothing_made
}

@test "--group-add takes a comma-separated list; rl exec gets the container's umask, groups and limits" {
	# A group named twice (wheel is 10) is given once.
	rl_run --group-add 1,2,wheel,10 id -G
	expect_status 0
	[[ $output == "0 1 2 10" ]] || fail "groups: $output"
	run rl run -d --name ex --rootfs "$ROOTFS" --umask 0724 --group-add 10 --ulimit nofile=90:91 sleep 600
	expect_status 0
	run rl exec ex sh -c 'umask; id -G; ulimit -n'
	expect_status 0
	[[ $(echo $output) == "0724 0 10 90" ]] || fail "exec: $output"
	# -u names another user: --group-add's groups are still added, as podman's.
	run rl exec -u 1000:1000 ex id -G
	[[ $output == "1000 10" ]] || fail "exec -u: $output"
	run rl rm -f ex
	expect_status 0
}

@test "a --ulimit above the caller's hard limit fails with the reason" {
	hard=$(ulimit -Hn)
	[[ $hard != unlimited ]] || skip "the open files hard limit is unlimited here"
	rl_run --ulimit nofile=$((hard + 1)) true
	one_line_error_nothing_made
	expect_output_has "cannot raise a hard limit, here $hard"
}

@test "--http-proxy (on by default) passes rl's proxy variables; -e wins; --http-proxy=false passes none" {
	export http_proxy=http://proxy.test:3128 NO_PROXY=localhost
	rl_run sh -c 'echo "$http_proxy $NO_PROXY"'
	[[ $output == "http://proxy.test:3128 localhost" ]] || fail "$output"
	rl_run -e http_proxy=http://mine.test:1 sh -c 'echo $http_proxy'
	[[ $output == http://mine.test:1 ]] || fail "$output"
	rl_run --http-proxy=false sh -c 'echo "[$http_proxy$NO_PROXY]"'
	[[ $output == "[]" ]] || fail "$output"
}

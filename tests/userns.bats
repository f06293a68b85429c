#!/usr/bin/env bats
# --userns modes, file ownership across the mapping, and the one-id
# fallback.

load helpers

@test "files root creates in a -v mount belong to the caller on the host" {
	mkdir "$BATS_TEST_TMPDIR/vol"
	rl_run -v "$BATS_TEST_TMPDIR/vol:/vol" sh -c 'echo hi > /vol/file; mkdir /vol/dir'
	expect_status 0
	[[ $(stat -c %u:%g "$BATS_TEST_TMPDIR/vol/file") == "$(id -u):$(id -g)" ]]
	[[ $(stat -c %u "$BATS_TEST_TMPDIR/vol/dir") == "$(id -u)" ]]
}

@test "a file owned by container uid 1234 belongs to the matching subordinate uid on the host" {
	requires rootless
	mkdir "$BATS_TEST_TMPDIR/vol"
	chmod 0777 "$BATS_TEST_TMPDIR/vol"
	rl_run -u 1234 -v "$BATS_TEST_TMPDIR/vol:/vol" touch /vol/file
	expect_status 0
	sub_start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
	[[ $(stat -c %u "$BATS_TEST_TMPDIR/vol/file") == $((sub_start + 1233)) ]]
	# The container's own copy-up of such files is removable by rl: the
	# teardown checks that nothing is left.
	rl_run sh -c 'mkdir -p /d/e && touch /d/e/f && chown -R 1234:1234 /d'
	expect_status 0
}

@test "--userns=keep-id keeps the caller's uid and gid inside" {
	mkdir "$BATS_TEST_TMPDIR/vol"
	rl_run --userns=keep-id -v "$BATS_TEST_TMPDIR/vol:/vol" sh -c 'id -u; id -g; touch /vol/file'
	expect_status 0
	[[ ${lines[0]} == "$(id -u)" && ${lines[1]} == "$(id -g)" ]]
	[[ $(stat -c %u:%g "$BATS_TEST_TMPDIR/vol/file") == "$(id -u):$(id -g)" ]]
}

@test "--userns=keep-id with -u root still maps root to a subordinate id" {
	requires rootless
	rl_run --userns=keep-id -u 0 sh -c 'id -u; touch /tmp/x && echo ok'
	expect_status 0
	[[ ${lines[0]} == 0 && ${lines[1]} == ok ]]
}

@test "without subordinate ids rl warns once and falls back to a one-id map" {
	requires rootless
	: >"$BATS_TEST_TMPDIR/empty"
	RL_SUBUID_FILE="$BATS_TEST_TMPDIR/empty" RL_SUBGID_FILE="$BATS_TEST_TMPDIR/empty" \
		rl_run sh -c 'cat /proc/self/uid_map; chown 1 /tmp || echo chown-failed'
	expect_status 0
	[[ ${lines[0]} == "rl: warning: no subordinate ids for $(id -un)"*"usermod --add-subuids"* ]]
	[[ $(grep -c "rl: warning" <<<"$output") == 1 ]]
	read -r -a l1 <<<"${lines[1]}"
	[[ "${l1[*]}" == "0 $(id -u) 1" ]]
	expect_output_has chown-failed
}

@test "an unknown --userns mode is refused" {
	rl_run --userns=bogus true
	one_line_error
	expect_output_has 'unknown --userns mode "bogus"'
}

@test "a --user outside the mapped range is refused before anything starts" {
	rootless_because "root's containers have every id"
	rl_run -u 999999 true
	one_line_error
	expect_output_has "uid 999999 is outside the container's uids (0-65536)"
}

# holder_pid: the pid of the holder of the caller's shared user namespace.
holder_pid() {
	local dir=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/rl}
	read -r pid _ <"${dir:-/tmp/rl-run-$(id -u)}/userns.pid"
	echo "$pid"
}

@test "containers share one user namespace, held by one rl-userns process that holds nothing of ours" {
	rootless_because "real root runs its containers in the initial user namespace: there is no holder"
	rl_run --network none readlink /proc/self/ns/user
	expect_status 0
	local first=$output
	rl_run --network none readlink /proc/self/ns/user
	[[ $output == "$first" ]] || fail "two user namespaces: $first, $output"
	local pid
	pid=$(holder_pid)
	[[ $(readlink "/proc/$pid/ns/user") == "$first" ]]
	[[ $(</proc/"$pid"/comm) == rl-userns ]]
	# Its stdio is /dev/null and it has no other fds: no pipe or bats fd
	# of a caller stays open in it.
	[[ $(readlink "/proc/$pid/fd/0") == /dev/null && $(readlink "/proc/$pid/fd/2") == /dev/null ]]
	[[ $(find "/proc/$pid/fd" -mindepth 1 | wc -l) == 3 ]]
	# keep-id makes a user namespace of its own.
	rl_run --network none --userns=keep-id readlink /proc/self/ns/user
	[[ $output != "$first" ]]
}

# end_holder: end the holder (one is made first) and wait until it is
# gone, setting $old to its pid.
end_holder() {
	rl_run --network none true
	old=$(holder_pid)
	kill "$old"
	timeout 20 tail --pid="$old" -f /dev/null
}

@test "a holder that is gone, or holds other maps, is made again; its containers run on" {
	rootless_because "real root runs its containers in the initial user namespace: there is no holder"
	detach --name c sleep 1000
	local old
	end_holder
	run rl exec c readlink /proc/self/ns/user
	expect_status 0
	rl_run --network none cat /proc/self/uid_map
	expect_status 0
	[[ $(holder_pid) != "$old" ]]
	rl rm -f -t 0 c
	# Maps from other subordinate ranges (a smaller one of the same
	# start, which newuidmap allows): a holder with those replaces it.
	local start
	old=$(holder_pid)
	start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
	echo "$(id -un):$start:1000" >"$BATS_TEST_TMPDIR/subuid"
	RL_SUBUID_FILE="$BATS_TEST_TMPDIR/subuid" rl_run --network none cat /proc/self/uid_map
	expect_status 0
	read -r -a l1 <<<"${lines[1]}"
	[[ "${l1[*]}" == "1 $start 1000" ]] || fail "uid_map: $output"
	[[ $(holder_pid) != "$old" ]]
	# The old one was killed (its containers would have run on).
	timeout 20 tail --pid="$old" -f /dev/null
	rl_run --network none cat /proc/self/uid_map
	read -r -a l1 <<<"${lines[1]}"
	[[ ${l1[2]} == 65536 ]] || fail "uid_map: $output"
}

@test "kill -9 of rl while it starts the holder leaves nothing that the next run does not repair" {
	rootless_because "real root runs its containers in the initial user namespace: there is no holder"
	local old
	end_holder
	RL_TEST_CRASH_AT=holder rl_run --network none true
	[[ $status == 137 ]] || fail "status $status: $output"
	# The half-made holder, recorded already, dies with rl (its parent
	# death signal, and the end of its socket).
	local half
	half=$(holder_pid)
	[[ $half != "$old" ]]
	timeout 20 tail --pid="$half" -f /dev/null
	run rl container prune
	expect_status 0
	rl_run --network none true
	expect_status 0
	[[ $(holder_pid) != "$half" && $(</proc/"$(holder_pid)"/comm) == rl-userns ]]
}

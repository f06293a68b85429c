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
	requires rootless
	rl_run -u 999999 true
	one_line_error
	expect_output_has "uid 999999 is outside the container's uids (0-65536)"
}

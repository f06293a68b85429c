#!/usr/bin/env bats
# Bad input and missing prerequisites: one line on stderr that says what is
# wrong and what to do, exit 125 (127 for a missing command, as docker),
# and nothing left behind (teardown checks the store, mounts and
# processes).

load helpers
bats_require_minimum_version 1.5.0

@test "missing rootfs" {
	run rl run --rm --rootfs /no/such/dir true
	one_line_error
	expect_output_has "root filesystem: stat /no/such/dir: no such file or directory"
	run rl run --rm
	one_line_error
	expect_output_has "no image or root filesystem given"
	run rl run --rm --rootfs /etc/passwd true
	one_line_error
	expect_output_has "is not a directory"
}

@test "rootfs without the command" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	run -127 rl run --rm --rootfs "$BATS_TEST_TMPDIR/empty" sh
	[[ ${#lines[@]} == 1 && $output == "rl: "*"executable file \`sh\` not found in \$PATH: no such file or directory" ]]
}

@test "no command" {
	rl_run
	one_line_error
	# a directory has no command of its own to fall back to
	[[ $output == "rl: no command given: add COMMAND after --rootfs DIR" ]]
}

@test "bad -v syntax and sources" {
	for v in bad /a:b:c:d :/x /tmp: "$BATS_TEST_TMPDIR:relative" bad/name:/x "$BATS_TEST_TMPDIR:/x:bogus"; do
		rl_run -v "$v" true
		one_line_error
		expect_output_has "volume"
	done
	rl_run -v /no/such/host/dir:/x true
	one_line_error
	expect_output_has "no such file or directory"
}

@test "bad --user" {
	rl_run -u nosuchuser true
	one_line_error
	expect_output_has 'no user "nosuchuser" in the container'"'"'s /etc/passwd'
	rl_run -u alice:nosuchgroup true
	one_line_error
	expect_output_has 'no group "nosuchgroup"'
	rl_run -u alice: true
	one_line_error
}

@test "bad --tmpfs, --workdir, --network, -e" {
	rl_run --tmpfs relative true
	one_line_error
	rl_run --tmpfs /x:bogus=1 true
	one_line_error
	rl_run -w relative true
	one_line_error
	rl_run --network bad/name true
	one_line_error
	expect_output_has "use slirp4netns, pasta, none, host, container:NAME or the name of a network"
	rl_run --network nosuch true
	one_line_error
	expect_output_has "network not found"
	rl_run -e "=novalue" true
	one_line_error
	rl_run --env-file /no/such/file true
	one_line_error
}

@test "bad --name and --hostname" {
	for n in ../escape a/b -x; do
		rl_run --name "$n" true
		one_line_error
		expect_output_has "invalid --name"
	done
	[[ ! -e $RL_TEST_ROOT/escape ]]
	rl_run --hostname "$(printf 'h%.0s' {1..65})" true
	one_line_error
	expect_output_has "invalid --hostname"
}

@test "unknown flag" {
	rl_run --no-such-flag true
	one_line_error
	expect_output_has "unknown flag: --no-such-flag"
	expect_output_has "rl run --help"
	run rl --no-such-flag
	one_line_error
}

@test "a malformed subuid line for the user" {
	requires rootless
	echo "$(id -un):100000:lots" >"$BATS_TEST_TMPDIR/subuid"
	RL_SUBUID_FILE="$BATS_TEST_TMPDIR/subuid" rl_run true
	one_line_error
	expect_output_has "malformed line"
	expect_output_has "hint:"
}

@test "newuidmap missing" {
	requires rootless
	PATH=/nonexistent rl_run true
	one_line_error
	expect_output_has "newuidmap"
	expect_output_has "apt-get install uidmap"
}

@test "rl-init missing beside rl" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	cp "$RL_BIN" "$BATS_TEST_TMPDIR/bin/rl"
	run "$BATS_TEST_TMPDIR/bin/rl" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" run --rm --rootfs "$ROOTFS" true
	one_line_error
	expect_output_has "rl-init not found"
}

@test "a run root that belongs to someone else is refused" {
	rootless_because "root may use any directory as its run root"
	run rl --runroot / run --rm --rootfs "$ROOTFS" true
	one_line_error
}

@test "an unknown command names the nearest ones and --help, in one line" {
	run rl stpo
	one_line_error
	[[ $output == 'rl: unknown command "stpo" for "rl": did you mean rl stop? (see rl --help)' ]]
	run rl pod stpo
	one_line_error
	[[ $output == 'rl: unknown command "stpo" for "rl pod": did you mean rl pod stop? (see rl pod --help)' ]]
	run rl xyzzy
	one_line_error
	[[ $output == 'rl: unknown command "xyzzy" for "rl" (see rl --help)' ]]
	# a group without a verb prints its help, as before
	run rl pod
	expect_status 0
	expect_output_has "Available Commands:"
}

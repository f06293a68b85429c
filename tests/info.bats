#!/usr/bin/env bats
# rl info: what rl uses on this machine, and what is missing.

load helpers

@test "rl info shows the id maps, the overlay mode, the store and the helpers" {
	run rl info
	expect_status 0
	expect_output_has "kernel:"
	expect_output_has "overlay:"
	expect_output_has "root:      $RL_TEST_ROOT"
	expect_output_has "helper:    $(dirname "$RL_BIN")/rl-init"
	expect_output_has "helper:    $(dirname "$RL_BIN")/rl-image"
	if [[ $(id -u) != 0 ]]; then
		sub_start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
		expect_output_has "uid map:   0-0 -> $(id -u)-$(id -u), 1-"
		expect_output_has "-> $sub_start-"
	fi
	[[ $output != *warning* ]]
}

@test "rl info --format json, with a missing subordinate range shown as a warning" {
	requires rootless
	: >"$BATS_TEST_TMPDIR/empty"
	RL_SUBUID_FILE="$BATS_TEST_TMPDIR/empty" run rl info --format json
	expect_status 0
	[[ $(jq -r .rootless <<<"$output") == true ]]
	[[ $(jq -r '.uid_map' <<<"$output") == "0-0 -> $(id -u)-$(id -u)" ]]
	[[ $(jq -r '.warnings[0]' <<<"$output") == "no subordinate ids for $(id -un)"*"usermod --add-subuids"* ]]
	run rl info --format yaml
	one_line_error
}

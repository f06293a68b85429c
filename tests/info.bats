#!/usr/bin/env bats
# rl info: what rl uses on this machine, and what is missing.

load helpers

@test "rl info shows the id maps, the overlay mode, the store and the helpers" {
	run rl info
	expect_status 0
	expect_output_has "kernel:"
	expect_output_has "overlay:"
	expect_output_has "network:   default slirp4netns; available: slirp4netns ($(command -v slirp4netns)), pasta ($(command -v pasta))"
	expect_output_has "root:      $RL_TEST_ROOT"
	expect_output_has "helper:    $(dirname "$RL_BIN")/rl-init"
	expect_output_has "helper:    $(dirname "$RL_BIN")/rl-image"
	if [[ $(id -u) != 0 ]]; then
		sub_start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
		expect_output_has "uid map:   0-0 -> $(id -u)-$(id -u), 1-"
		expect_output_has "-> $sub_start-"
	fi
	! grep -q "^warning:" <<<"$output"
}

@test "rl info --format json, with a missing subordinate range shown as a warning" {
	requires rootless
	: >"$BATS_TEST_TMPDIR/empty"
	RL_SUBUID_FILE="$BATS_TEST_TMPDIR/empty" run rl info --format json
	expect_status 0
	[[ $(jq -r .host.security.rootless <<<"$output") == true ]]
	[[ $(jq -r '.rl.uid_map' <<<"$output") == "0-0 -> $(id -u)-$(id -u)" ]]
	[[ $(jq -r '.rl.warnings[0]' <<<"$output") == "no subordinate ids for $(id -un)"*"usermod --add-subuids"* ]]
	run rl info --format '{{.Nope}}'
	one_line_error
}

@test "the configuration file sets root and runroot; flags win; a bad line is refused" {
	rootless_because "root reads /etc/rl/rl.conf, not \$XDG_CONFIG_HOME's"
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
	mkdir -p "$XDG_CONFIG_HOME/rl"
	printf '# rl settings\nroot = %s\nrunroot = %s\n' "$BATS_TEST_TMPDIR/cfg-root" "$BATS_TEST_TMPDIR/cfg-run" >"$XDG_CONFIG_HOME/rl/rl.conf"
	run "$RL_BIN" info
	expect_status 0
	expect_output_has "root:      $BATS_TEST_TMPDIR/cfg-root"
	expect_output_has "run root:  $BATS_TEST_TMPDIR/cfg-run"
	run "$RL_BIN" run --name cfg --rootfs "$ROOTFS" true
	expect_status 0
	[[ -L $BATS_TEST_TMPDIR/cfg-root/names/cfg ]]
	rm -rf "$BATS_TEST_TMPDIR/cfg-root" "$BATS_TEST_TMPDIR/cfg-run"
	run "$RL_BIN" --root "$BATS_TEST_TMPDIR/flag-root" info
	expect_output_has "root:      $BATS_TEST_TMPDIR/flag-root"
	echo "graphroot = /x" >>"$XDG_CONFIG_HOME/rl/rl.conf"
	run "$RL_BIN" info
	one_line_error
	expect_output_has 'line 4: unknown key "graphroot"'
}

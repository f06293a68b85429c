#!/usr/bin/env bats
# A container's labels over its image's (tests/registry's layers image has
# two), as podman shows them in .Config.Labels.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	start_registry
}

teardown_file() {
	stop_registry
}

teardown() {
	assert_nothing_left
	# The store holds files of subordinate ids: removed from a user
	# namespace, as rl removes containers.
	unshare --map-root-user --map-auto rm -rf "$RL_TEST_ROOT" 2>/dev/null || rm -rf "$RL_TEST_ROOT"
}

@test "the image's labels are the container's, under its own" {
	run rl create -q --tls-verify=false --name lab -l shared=mine -l own=1 "$REGISTRY/rl-test/layers" true
	expect_status 0
	run rl inspect --format '{{index .Config.Labels "org.rl-test.from"}} {{index .Config.Labels "shared"}} {{index .Config.Labels "own"}}' lab
	expect_status 0
	[[ $output == "image mine 1" ]] || fail "labels: $output"
	run rl rm lab
	expect_status 0
}

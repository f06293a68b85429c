#!/usr/bin/env bats
# A user namespace of the container's own, nested in the caller's:
# --uidmap/--gidmap and keep-id over an image, whose files
# keep the owners the image gives them (rl remaps a copy of its layers, as
# containers/storage does for podman).

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	start_registry
	# One store for the file: the image is pulled once, and the remapped
	# copies of its layers are reused.
	export RL_IMAGE_ROOT="$BATS_FILE_TMPDIR/store"
}

teardown_file() {
	stop_registry
	unshare --map-root-user --map-auto rm -rf "$RL_IMAGE_ROOT" 2>/dev/null || rm -rf "$RL_IMAGE_ROOT"
}

setup() {
	export RL_TEST_ROOT="$RL_IMAGE_ROOT"
	export RL_TEST_RUNROOT="$BATS_TEST_TMPDIR/run"
}

image() {
	run rl run --rm --tls-verify=false -q "$@"
}

layers=rl-test/layers

@test "keep-id: the image's files keep their owners, root's and 1234's; whiteouts and opaque dirs still hide" {
	requires rootless
	image --userns=keep-id --entrypoint "" "$REGISTRY/$layers" sh -c \
		'id -u; stat -c %u:%g / /bin /bin/busybox /owned/by1234; ls -a /data /opaque'
	expect_status 0
	[[ ${lines[0]} == "$(id -u)" ]]
	[[ ${lines[1]} == 0:0 && ${lines[2]} == 0:0 && ${lines[3]} == 0:0 && ${lines[4]} == 1234:1234 ]] || fail "owners: ${lines[*]:1:4}"
	expect_output_has keep
	expect_output_has new
	[[ $output != *gone* && $output != *old1* && $output != *old2* ]]
	# The copies are made once per map and image layer.
	copies=$(find "$RL_IMAGE_ROOT"/storage/rl-remapped -mindepth 2 -maxdepth 2 | wc -l)
	((copies == 3)) || fail "$copies remapped layers, want the image's 3"
	image --userns=keep-id --entrypoint "" "$REGISTRY/$layers" true
	expect_status 0
	[[ $(find "$RL_IMAGE_ROOT"/storage/rl-remapped -mindepth 2 -maxdepth 2 | wc -l) == "$copies" ]]
}

@test "--uidmap 0:0:1000 maps container ids 1-999 to the first subordinate ids; image ids above are nobody's" {
	requires rootless
	image --uidmap 0:0:1000 --entrypoint "" "$REGISTRY/$layers" sh -c \
		'cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c %u:%g / /etc /owned/by1234; touch /tmp/x && echo wrote'
	expect_status 0
	# Written as the kernel takes it: one range per range of the caller's
	# map; shown, as podman's, in the ids of the caller's namespace.
	read -r -a u0 <<<"${lines[0]}"
	read -r -a u1 <<<"${lines[1]}"
	[[ "${u0[*]}" == "0 0 1" && "${u1[*]}" == "1 1 999" ]] || fail "uid_map: ${lines[0]} / ${lines[1]}"
	# --gidmap defaults to --uidmap's maps.
	read -r -a g1 <<<"${lines[3]}"
	[[ ${g1[0]} == 1 && ${g1[2]} == 999 ]] || fail "gid_map: ${lines[3]}"
	[[ ${lines[4]} == 0 && ${lines[5]} == 0:0 && ${lines[6]} == 0:0 && ${lines[7]} == 65534:65534 && ${lines[8]} == wrote ]] || fail "${lines[*]:4}"
}

@test "--gidmap of its own beside --uidmap" {
	requires rootless
	image --uidmap 0:0:1,1:1:2000 --gidmap 0:0:1,1:1:100 --entrypoint "" "$REGISTRY/$layers" stat -c %u:%g /owned/by1234
	expect_status 0
	[[ $output == 1234:65534 ]] || fail "owner: $output"
}

@test "maps that leave the caller out (nomap, --uidmap 0:1:N) are refused for now, with one line" {
	requires rootless
	image --userns=nomap "$REGISTRY/$layers" true
	one_line_error
	expect_output_has "nomap is not built yet"
	image --uidmap 0:1:1000 "$REGISTRY/$layers" true
	one_line_error
	expect_output_has "must map your own uid"
	run rl ps -a -q
	[[ -z $output ]]
}

@test "bad id maps are refused with one line and exit 125, before anything is made" {
	image --uidmap 0:1 "$REGISTRY/$layers" true
	one_line_error
	expect_output_has "want CONTAINER:HOST:SIZE"
	image --uidmap 0:x:10 "$REGISTRY/$layers" true
	one_line_error
	image --uidmap 0:1:0 "$REGISTRY/$layers" true
	one_line_error
	expect_output_has "the size is 0"
	image --userns=keep-id --uidmap 0:1:10 "$REGISTRY/$layers" true
	one_line_error
	expect_output_has "give one"
	if [[ $(id -u) != 0 ]]; then
		image --uidmap 0:0:4000000000 "$REGISTRY/$layers" true
		one_line_error
		expect_output_has "are not yours"
		image --uidmap 0:0:100,50:2:10 "$REGISTRY/$layers" true
		one_line_error
		expect_output_has "overlaps"
	else
		image --uidmap 0:1:100 "$REGISTRY/$layers" true
		one_line_error
		expect_output_has "need rootless rl"
	fi
	run rl ps -a -q
	[[ -z $output ]]
}

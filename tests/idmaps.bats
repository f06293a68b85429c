#!/usr/bin/env bats
# A user namespace of the container's own, nested in the caller's:
# --uidmap/--gidmap, --userns=nomap and keep-id over an image, whose files
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
		'id -u; stat -c %u:%g / /etc /bin/busybox /owned/by1234 /etc/passwd /etc/hosts /etc/hostname /etc/resolv.conf; ls -a /data /opaque'
	expect_status 0
	[[ ${lines[0]} == "$(id -u)" ]]
	[[ ${lines[1]} == 0:0 && ${lines[2]} == 0:0 && ${lines[3]} == 0:0 && ${lines[4]} == 1234:1234 ]] || fail "owners: ${lines[*]:1:4}"
	# What rl wrote for the container is root's too: /etc/passwd with the
	# caller's entry, the host name, hosts and resolv.conf.
	[[ ${lines[5]} == 0:0 && ${lines[6]} == 0:0 && ${lines[7]} == 0:0 && ${lines[8]} == 0:0 ]] || fail "owners: ${lines[*]:5:4}"
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

@test "--uidmap 0:1:1000 runs root as the first subordinate id; the caller's uid is not mapped" {
	requires rootless
	image --uidmap 0:1:1000 --entrypoint "" "$REGISTRY/$layers" sh -c \
		'cat /proc/self/uid_map; id -u; stat -c %u:%g / /etc /bin/busybox; touch /tmp/x /etc/x && echo wrote'
	expect_status 0
	read -r -a u <<<"${lines[0]}"
	[[ "${u[*]}" == "0 1 1000" ]] || fail "uid_map: ${lines[0]}"
	[[ ${lines[1]} == 0 && ${lines[2]} == 0:0 && ${lines[3]} == 0:0 && ${lines[4]} == 0:0 && ${lines[5]} == wrote ]] || fail "${lines[*]:1}"
	# Either may leave the caller out.
	image --uidmap 0:1:1000 --gidmap 0:0:1000 --entrypoint "" "$REGISTRY/$layers" sh -c 'id -u; id -g'
	expect_status 0
	[[ $output == $'0\n0' ]]
	image --uidmap 0:0:1000 --gidmap 0:1:1000 --entrypoint "" "$REGISTRY/$layers" sh -c 'id -u; id -g'
	expect_status 0
	[[ $output == $'0\n0' ]]
}

@test "--userns=nomap: root is the first subordinate id, seen so from the host; the caller is not in the container" {
	requires rootless
	sub_start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
	run rl run -d --tls-verify=false -q --userns=nomap --entrypoint "" "$REGISTRY/$layers" sleep 100
	expect_status 0
	cid=$output
	run rl exec "$cid" sh -c 'cat /proc/self/uid_map; id -u; stat -c %u /etc'
	expect_status 0
	read -r -a u <<<"${lines[0]}"
	[[ ${u[0]} == 0 && ${u[1]} == 1 ]] || fail "uid_map: ${lines[0]}"
	[[ ${lines[1]} == 0 && ${lines[2]} == 0 ]]
	run rl top "$cid" huser
	expect_status 0
	expect_output_has "$sub_start"
	run rl rm -f -t 0 "$cid"
	expect_status 0
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
		image --userns=nomap "$REGISTRY/$layers" true
		one_line_error
		expect_output_has "only for rootless rl"
	fi
	run rl ps -a -q
	[[ -z $output ]]
}

@test "--userns=auto gives each container ids of its own, sized by the image or auto:size=N; they are free again once it is gone" {
	requires rootless
	run rl create -q --tls-verify=false --name a1 --userns=auto --entrypoint "" "$REGISTRY/$layers" cat /proc/self/uid_map
	expect_status 0
	run rl create -q --name a2 --userns=auto:size=2000 --entrypoint "" "$REGISTRY/$layers" cat /proc/self/uid_map
	expect_status 0
	run rl start -a a1
	expect_status 0
	read -r -a u1 <<<"$output"
	[[ "${u1[*]}" == "0 1 1024" ]] || fail "a1: $output"
	run rl start -a a2
	read -r -a u2 <<<"$output"
	[[ "${u2[*]}" == "0 1025 2000" ]] || fail "a2: $output"
	run rl inspect --format '{{.HostConfig.UsernsMode}}' a1
	[[ $output == auto ]] || fail "$output"
	run rl rm a1
	expect_status 0
	image --userns=auto --entrypoint "" "$REGISTRY/$layers" sh -c 'cat /proc/self/uid_map; stat -c %u:%g /etc'
	expect_status 0
	read -r -a u3 <<<"${lines[0]}"
	[[ "${u3[*]}" == "0 1 1024" && ${lines[1]} == 0:0 ]] || fail "$output"
	image --userns=auto:size=70000 "$REGISTRY/$layers" true
	one_line_error
	image --userns=auto:size=65000 "$REGISTRY/$layers" true
	one_line_error
	expect_output_has "are free of other auto containers"
	run rl rm a2
	expect_status 0
}

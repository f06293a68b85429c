#!/usr/bin/env bats
# Images: pulled from a real registry on 127.0.0.1 (tests/registry) into
# rl's containers/storage store, run on a kernel overlay of their layers.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export ROOTFS="$BATS_FILE_TMPDIR/rootfs"
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$ROOTFS"
	export REGISTRY_DIR="$BATS_FILE_TMPDIR/registry"
	REGISTRY=$("$BATS_TEST_DIRNAME/registry/start.sh" "$REGISTRY_DIR")
	export REGISTRY
	"$BATS_TEST_DIRNAME/registry/mkimages.sh" "$REGISTRY" >"$BATS_FILE_TMPDIR/digests"
	# One store for the whole file, so that an image is pulled once.
	export RL_IMAGE_ROOT="$BATS_FILE_TMPDIR/store"
}

teardown_file() {
	"$BATS_TEST_DIRNAME/registry/stop.sh" "$REGISTRY_DIR"
	# The store holds files of subordinate ids: remove it the way rl does
	# for containers, from inside a user namespace.
	if [[ -d $RL_IMAGE_ROOT ]]; then
		unshare --map-root-user --map-auto rm -rf "$RL_IMAGE_ROOT" 2>/dev/null || rm -rf "$RL_IMAGE_ROOT"
	fi
}

setup() {
	export RL_TEST_ROOT="$RL_IMAGE_ROOT"
	export RL_TEST_RUNROOT="$BATS_TEST_TMPDIR/run"
}

teardown() {
	# A registry a test started for itself (the login test) stops even
	# when the test fails half-way.
	if [[ -f $BATS_TEST_TMPDIR/authreg/pid ]]; then
		"$BATS_TEST_DIRNAME/registry/stop.sh" "$BATS_TEST_TMPDIR/authreg"
	fi
	assert_nothing_left
}

# rl_image ARGS...: rl run --rm against the local registry.
rl_image() {
	run rl run --rm --tls-verify=false -q "$@"
}

@test "rl pull puts an image in the store; rl images lists it; a second pull is a no-op" {
	run rl pull --tls-verify=false -q "$REGISTRY/rl-test/busybox"
	expect_status 0
	id=$output
	[[ $id =~ ^[0-9a-f]{64}$ ]]
	run rl images
	expect_status 0
	expect_output_has "$REGISTRY/rl-test/busybox"
	expect_output_has "${id:0:12}"
	run rl images --format json
	expect_status 0
	expect_output_has "\"id\": \"$id\""
	layers_before=$(find "$RL_IMAGE_ROOT/storage/overlay" -maxdepth 1 | wc -l)
	run rl pull --tls-verify=false -q "$REGISTRY/rl-test/busybox"
	expect_status 0
	[[ $output == "$id" ]]
	run rl images -q
	[[ $output == "${id:0:12}" ]]
	[[ $(find "$RL_IMAGE_ROOT/storage/overlay" -maxdepth 1 | wc -l) == "$layers_before" ]]
}

@test "rl run IMAGE pulls when missing and honours the image's entrypoint, cmd, env and workdir" {
	rl_image "$REGISTRY/rl-test/layers"
	expect_status 0
	[[ ${lines[0]} == from-image-config && ${lines[1]} == layer3 ]]
	# The image's entrypoint is sh -c: the command is a script.
	rl_image "$REGISTRY/rl-test/layers" 'pwd; echo $FOO'
	expect_status 0
	[[ ${lines[0]} == /data && ${lines[1]} == bar ]]
	# Flags win over the image's configuration.
	rl_image -w /tmp -e FOO=flag --entrypoint /bin/sh "$REGISTRY/rl-test/layers" -c 'pwd; echo $FOO'
	expect_status 0
	[[ ${lines[0]} == /tmp && ${lines[1]} == flag ]]
}

@test "whiteouts and opaque directories hide what lower layers had" {
	rl_image --entrypoint "" "$REGISTRY/rl-test/layers" ls -a /data /opaque
	expect_status 0
	expect_output_has keep
	[[ $output != *gone* && $output != *old1* && $output != *old2* ]]
	expect_output_has new
}

@test "a file owned by uid 1234 in the image is uid 1234 inside" {
	rl_image --entrypoint "" "$REGISTRY/rl-test/layers" stat -c %u:%g /owned/by1234
	expect_status 0
	[[ $output == 1234:1234 ]]
}

@test "each container writes to its own layer; the image's layers are never changed" {
	rl_image --entrypoint "" "$REGISTRY/rl-test/layers" sh -c 'rm /data/keep; echo x > /etc/layer3'
	expect_status 0
	rl_image --entrypoint "" "$REGISTRY/rl-test/layers" cat /data/keep /etc/layer3
	expect_status 0
	[[ $output != *x* ]]
}

@test "an image with ids beyond the mapping is refused, naming the file and the id" {
	requires rootless
	rl_image "$REGISTRY/rl-test/highuid" true
	expect_status 125
	expect_output_has "200000"
	expect_output_has "/highuid/by200000"
	expect_output_has "/etc/subuid"
}

@test "--pull=never of a missing image fails with what to do" {
	run rl run --rm --pull=never "$REGISTRY/rl-test/nothere" true
	one_line_error
	expect_output_has "rl pull"
	run rl run --rm --pull=sometimes "$REGISTRY/rl-test/busybox" true
	one_line_error
	expect_output_has "invalid --pull"
}

@test "rl tag adds a name; rl image inspect shows the record; rl rmi removes names and then the image" {
	run rl pull --tls-verify=false -q "$REGISTRY/rl-test/busybox"
	expect_status 0
	id=$output
	run rl tag "$REGISTRY/rl-test/busybox" localhost/mine:v1
	expect_status 0
	run rl image inspect localhost/mine:v1
	expect_status 0
	expect_output_has "\"id\": \"$id\""
	expect_output_has "localhost/mine:v1"
	expect_output_has '"Cmd": ['
	run rl run --rm --pull=never localhost/mine:v1 echo via-tag
	expect_status 0
	[[ $output == via-tag ]]
	# A name of an image with several only goes; then the image goes.
	run rl rmi localhost/mine:v1
	expect_status 0
	[[ $output == "Untagged: localhost/mine:v1" ]]
	run rl run --rm --pull=never localhost/mine:v1 true
	one_line_error
	run rl tag "$REGISTRY/rl-test/busybox" localhost/mine:v1
	run rl rmi "$id"
	expect_status 0
	expect_output_has "Deleted: $id"
	run rl image inspect localhost/mine:v1
	one_line_error
	expect_output_has "image not known"
}

@test "rl rmi refuses an image a container uses, unless -f" {
	run rl pull --tls-verify=false -q "$REGISTRY/rl-test/busybox"
	id=$output
	run rl run --name keeper --pull=never "$REGISTRY/rl-test/busybox" true
	expect_status 0
	run rl rmi "$REGISTRY/rl-test/busybox"
	one_line_error
	expect_output_has "in use by a container"
	run rl rmi -f "$REGISTRY/rl-test/busybox"
	expect_status 0
	# The kept container has no `rl rm` yet (issue 6): remove its state as
	# a user would.
	rm -rf "$RL_TEST_RUNROOT" "$RL_TEST_ROOT/containers" "$RL_TEST_ROOT/names"
}

@test "rl save and rl load round-trip an image, as docker and as OCI archives" {
	run rl pull --tls-verify=false -q "$REGISTRY/rl-test/layers"
	expect_status 0
	for format in docker-archive oci-archive; do
		run rl save --format "$format" -o "$BATS_TEST_TMPDIR/$format.tar" "$REGISTRY/rl-test/layers"
		expect_status 0
		[[ -s $BATS_TEST_TMPDIR/$format.tar ]]
		# Load into a second, empty store and run from there.
		run "$RL_BIN" --root "$BATS_TEST_TMPDIR/other-$format" --runroot "$BATS_TEST_TMPDIR/other-run" load -q -i "$BATS_TEST_TMPDIR/$format.tar"
		expect_status 0
		# A docker archive keeps the name; an OCI archive's is made up
		# (its ref.name annotation is not read yet).
		name=${output#Loaded image: }
		[[ $format == oci-archive || $name == "$REGISTRY/rl-test/layers:latest" ]]
		run "$RL_BIN" --root "$BATS_TEST_TMPDIR/other-$format" --runroot "$BATS_TEST_TMPDIR/other-run" \
			run --rm --pull=never --entrypoint "" "$name" sh -c 'ls /data; stat -c %u /owned/by1234'
		expect_status 0
		[[ $(echo $output) == "keep 1234" ]]
		unshare --map-root-user --map-auto rm -rf "$BATS_TEST_TMPDIR/other-$format" 2>/dev/null || rm -rf "$BATS_TEST_TMPDIR/other-$format"
	done
	run rl load -i /etc/hostname
	one_line_error
	expect_output_has "not a docker or OCI archive"
}

@test "rl import makes a one-layer image from a root filesystem tarball" {
	tar -C "$ROOTFS" -czf "$BATS_TEST_TMPDIR/rootfs.tgz" .
	run rl import -q "$BATS_TEST_TMPDIR/rootfs.tgz" localhost/imported
	expect_status 0
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	run rl run --rm --pull=never localhost/imported cat /etc/motd
	expect_status 0
	[[ $output == "rl test rootfs" ]]
	run rl image inspect localhost/imported
	expect_output_has '"Cmd": ['
	run rl import /no/such.tar localhost/x
	one_line_error
}

@test "short names resolve through registries.conf, as podman resolves them" {
	conf="$BATS_TEST_TMPDIR/registries.conf"
	cat >"$conf" <<CONF
unqualified-search-registries = ["$REGISTRY"]
short-name-mode = "permissive"
[[registry]]
location = "$REGISTRY"
insecure = true
CONF
	export CONTAINERS_REGISTRIES_CONF=$conf
	run rl pull -q rl-test/busybox
	expect_status 0
	run rl images
	expect_output_has "$REGISTRY/rl-test/busybox"
	run rl run --rm --pull=never rl-test/busybox echo short
	expect_status 0
	[[ $output == short ]]
}

@test "an image resolved once runs from rl's index, without starting rl-image" {
	rl_image "$REGISTRY/rl-test/busybox" true
	expect_status 0
	# rl and rl-init alone, beside each other: no rl-image to start.
	mkdir "$BATS_TEST_TMPDIR/bin"
	cp "$RL_BIN" "$(dirname "$RL_BIN")/rl-init" "$BATS_TEST_TMPDIR/bin/"
	run "$BATS_TEST_TMPDIR/bin/rl" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" run --rm --pull=never "$REGISTRY/rl-test/busybox" echo from-index
	expect_status 0
	[[ $output == from-index ]]
	# A change to the store drops the index: then rl-image is needed.
	run rl tag "$REGISTRY/rl-test/busybox" localhost/other
	expect_status 0
	run "$BATS_TEST_TMPDIR/bin/rl" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" run --rm --pull=never "$REGISTRY/rl-test/busybox" true
	one_line_error
	expect_output_has "rl-image not found"
}

@test "rl login stores credentials that rl pull uses; rl logout removes them" {
	htpasswd="$BATS_TEST_TMPDIR/htpasswd"
	python3 -W ignore -c 'import crypt; print("tester:" + crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH)))' >"$htpasswd"
	auth_reg=$(RL_REGISTRY_HTPASSWD=$htpasswd "$BATS_TEST_DIRNAME/registry/start.sh" "$BATS_TEST_TMPDIR/authreg")
	skopeo copy -q --src-tls-verify=false --dest-tls-verify=false --dest-creds tester:s3cret \
		"docker://$REGISTRY/rl-test/busybox:latest" "docker://$auth_reg/private/busybox:latest"
	export REGISTRY_AUTH_FILE="$BATS_TEST_TMPDIR/auth.json"

	run rl pull --tls-verify=false -q "$auth_reg/private/busybox"
	expect_status 125
	expect_output_has "authentication required"
	run bash -c 'echo wrong | "$0" --root "$1" --runroot "$2" login --tls-verify=false -u tester --password-stdin "$3"' \
		"$RL_BIN" "$RL_TEST_ROOT" "$RL_TEST_RUNROOT" "$auth_reg"
	one_line_error
	[[ ! -s $REGISTRY_AUTH_FILE ]] || ! grep -q "$auth_reg" "$REGISTRY_AUTH_FILE"
	run bash -c 'echo s3cret | "$0" --root "$1" --runroot "$2" login --tls-verify=false -u tester --password-stdin "$3"' \
		"$RL_BIN" "$RL_TEST_ROOT" "$RL_TEST_RUNROOT" "$auth_reg"
	expect_status 0
	expect_output_has "Login Succeeded"
	grep -q "$auth_reg" "$REGISTRY_AUTH_FILE"
	run rl pull --tls-verify=false -q "$auth_reg/private/busybox"
	expect_status 0
	run rl logout "$auth_reg"
	expect_status 0
	! grep -q "$auth_reg" "$REGISTRY_AUTH_FILE"
}

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
	remove_store "$RL_IMAGE_ROOT"
}

# remove_store DIR: a store holds files of subordinate ids: remove it the
# way rl does for containers, from inside a user namespace.
remove_store() {
	if [[ -d $1 ]]; then
		unshare --map-root-user --map-auto rm -rf "$1" 2>/dev/null || rm -rf "$1"
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
	remove_store "$BATS_TEST_TMPDIR/store"
}

# fresh_store: point this test at an empty store of its own.
fresh_store() {
	export RL_TEST_ROOT="$BATS_TEST_TMPDIR/store"
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

@test "rl stop sends the image's stop signal first" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	run rl run -d --name sig --network none --tls-verify=false -q -v "$BATS_TEST_TMPDIR:/t" "$REGISTRY/rl-test/layers" \
		'trap "echo got-usr1; exit 5" USR1; echo > /t/ready; while :; do sleep 0.1; done'
	expect_status 0
	timeout 20 cat "$BATS_TEST_TMPDIR/ready" >/dev/null
	run rl stop sig
	expect_status 0
	run rl inspect --format '{{.State.ExitCode}}' sig
	[[ $output == 5 ]]
	run rl logs sig
	[[ $output == got-usr1 ]]
	rl rm sig
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

@test "the container's / has the mode of the image's /, as podman gives it" {
	rl_image --entrypoint "" "$REGISTRY/rl-test/layers" stat -c %a /
	expect_status 0
	got=$output
	# containers/storage's layer dirs hold each layer's root.
	want=$(stat -c %a "$RL_IMAGE_ROOT"/storage/overlay/*/diff | sort -u)
	[[ $got == "$want" ]] || fail "/ is $got, the layers' roots $want"
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
	expect_output_has "\"Id\": \"$id\""
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
	# The container outlives its image, and rl rm still removes it.
	run rl rm -a -f
	expect_status 0
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
		# Both keep the name: a docker archive in its repo tags, an OCI
		# archive in its ref.name annotation.
		name=${output#Loaded image: }
		[[ $name == "$REGISTRY/rl-test/layers:latest" ]]
		run "$RL_BIN" --root "$BATS_TEST_TMPDIR/other-$format" --runroot "$BATS_TEST_TMPDIR/other-run" \
			run --rm --pull=never --entrypoint "" "$name" sh -c 'ls /data; stat -c %u /owned/by1234'
		expect_status 0
		[[ $(echo $output) == "keep 1234" ]]
		remove_store "$BATS_TEST_TMPDIR/other-$format"
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

@test "a refused image leaves nothing in the store, not even the layers below the refused one" {
	requires rootless
	fresh_store
	run rl pull --tls-verify=false -q "$REGISTRY/rl-test/highuid"
	one_line_error
	store_has_no_layers
}

@test "layer files of uid 1234 belong to the matching subordinate uid on the host" {
	requires rootless
	rl_image --entrypoint "" "$REGISTRY/rl-test/layers" true
	expect_status 0
	sub_start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
	file=$(find "$RL_IMAGE_ROOT/storage/overlay" -path '*/diff/owned/by1234' 2>/dev/null || true)
	[[ -n $file ]]
	[[ $(stat -c %u:%g "$file") == "$((sub_start + 1233)):$(awk -F: -v u="$(id -un)" '$1 == u { print $2 + 1233; exit }' /etc/subgid)" ]]
}

@test "--read-only runs an image on a read-only root" {
	rl_image --read-only --entrypoint "" "$REGISTRY/rl-test/layers" sh -c 'touch /tmp/ok && touch /data/no'
	expect_status 1
	expect_output_has "Read-only file system"
}

@test "a registry that does not answer: one line with what to check, exit 125, nothing kept" {
	fresh_store
	run rl pull --tls-verify=false "127.0.0.1:1/rl-test/busybox"
	one_line_error
	expect_output_has "connection refused"
	expect_output_has "hint: nothing answers"
	store_has_no_layers
}

@test "a missing tag: one line naming it, exit 125" {
	run rl pull --tls-verify=false -q "$REGISTRY/rl-test/busybox:nosuchtag"
	one_line_error
	expect_output_has "nosuchtag"
	expect_output_has "manifest unknown"
}

@test "a blob that does not match its digest is refused, and the store keeps nothing of the image" {
	fresh_store
	digest=$(awk '$1 ~ /rl-test\/spoiled:latest$/ && $2 == "layer2" { print $3 }' "$BATS_FILE_TMPDIR/digests")
	hex=${digest#sha256:}
	blob="$REGISTRY_DIR/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
	# Same size, other bytes: the registry serves them under the old digest.
	head -c "$(stat -c %s "$blob")" /dev/zero >"$blob"
	run rl pull --tls-verify=false -q "$REGISTRY/rl-test/spoiled"
	one_line_error
	expect_output_has "$hex"
	store_has_no_layers
	run rl images -q
	expect_status 0
	[[ -z $output ]]
}

@test "a full disk fails the pull with what to do, and nothing is kept" {
	[[ -n ${RL_TEST_SMALLFS:-} ]] || skip "needs RL_TEST_SMALLFS, a 1 MiB tmpfs the user can write (tests/run.sh mounts one)"
	export RL_TEST_ROOT="$RL_TEST_SMALLFS/store-$(id -u)"
	run rl pull --tls-verify=false -q "$REGISTRY/rl-test/busybox"
	one_line_error
	expect_output_has "no space left on device"
	expect_output_has "hint: the image store's filesystem is full"
	store_has_no_layers
	remove_store "$RL_TEST_ROOT"
}

@test "two rl pull of one image at once: both succeed with the same id, one image in the store" {
	fresh_store
	rl pull --tls-verify=false -q "$REGISTRY/rl-test/layers" >"$BATS_TEST_TMPDIR/one" 2>&1 &
	one=$!
	rl pull --tls-verify=false -q "$REGISTRY/rl-test/layers" >"$BATS_TEST_TMPDIR/two" 2>&1 &
	two=$!
	wait "$one" || fail "first pull: $(cat "$BATS_TEST_TMPDIR/one")"
	wait "$two" || fail "second pull: $(cat "$BATS_TEST_TMPDIR/two")"
	[[ $(cat "$BATS_TEST_TMPDIR/one") =~ ^[0-9a-f]{64}$ ]]
	[[ $(cat "$BATS_TEST_TMPDIR/one") == "$(cat "$BATS_TEST_TMPDIR/two")" ]]
	run rl images -q
	[[ ${#lines[@]} == 1 ]]
	[[ $(jq length "$RL_TEST_ROOT/storage/overlay-layers/layers.json") == 3 ]]
	rl_image --pull=never "$REGISTRY/rl-test/layers"
	expect_status 0
	[[ ${lines[1]} == layer3 ]]
}

@test "pull progress: plain lines when stderr is not a terminal, nothing with -q" {
	fresh_store
	run rl pull --tls-verify=false "$REGISTRY/rl-test/busybox"
	expect_status 0
	expect_output_has "Copying blob sha256:"
	[[ ${lines[-1]} =~ ^[0-9a-f]{64}$ ]]
	run rl rmi "$REGISTRY/rl-test/busybox"
	run rl pull --tls-verify=false -q "$REGISTRY/rl-test/busybox"
	expect_status 0
	[[ ${#lines[@]} == 1 ]]
}

@test "pull progress on a terminal: a line per blob, updated in place" {
	fresh_store
	sock="$BATS_TEST_TMPDIR/tmux.sock"
	out="$BATS_TEST_TMPDIR/out"
	tmux -S "$sock" new-session -d -x 120 -y 30 \
		"$RL_BIN --root $RL_TEST_ROOT --runroot $RL_TEST_RUNROOT pull --tls-verify=false $REGISTRY/rl-test/layers; echo rl-exit=\$? > $out; sleep 1000"
	for _ in $(seq 400); do [[ -s $out ]] && break; sleep 0.05; done
	screen=$(tmux -S "$sock" capture-pane -p)
	tmux -S "$sock" kill-server
	[[ $(cat "$out") == "rl-exit=0" ]] || fail "$screen"
	# On a terminal each blob gets a bar, named by its short digest.
	[[ $(grep -cE '^Copying blob [0-9a-f]{12} .*done' <<<"$screen") == 3 ]] || fail "$screen"
}

@test "-P publishes the image's exposed ports on free host ports; rl port shows them" {
	mkdir "$BATS_TEST_TMPDIR/www"
	echo exposed >"$BATS_TEST_TMPDIR/www/index.html"
	rl_background run --rm --init --name exposed -P --tls-verify=false -q -v "$BATS_TEST_TMPDIR/www:/www:ro" \
		--entrypoint "" "$REGISTRY/rl-test/layers" httpd -f -p 80 -h /www
	rl_pid=$!
	for _ in $(seq 200); do
		run rl port exposed 80
		[[ $status == 0 && $output == *:* ]] && curl -sf "http://${output/0.0.0.0/127.0.0.1}/" >/dev/null && break
		sleep 0.05
	done
	run rl port exposed
	expect_status 0
	[[ ${#lines[@]} == 2 ]]
	expect_output_has "80/tcp -> 0.0.0.0:"
	expect_output_has "5353/udp -> 0.0.0.0:"
	run rl port exposed 80/tcp
	[[ $(curl -sf "http://${output/0.0.0.0/127.0.0.1}/") == exposed ]]
	kill -TERM "$rl_pid"
	wait "$rl_pid" || true
}

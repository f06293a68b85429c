#!/usr/bin/env bats
# Findings of the security review (issue 12): input the flag grammar must
# refuse, files of a running container that rl reads without trusting
# them, messages that named the wrong cause, and an interrupted pull that
# must stop and leave nothing behind.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export ROOTFS="$BATS_FILE_TMPDIR/rootfs"
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$ROOTFS"
	find "$ROOTFS" -type f -exec sha256sum {} + | sort >"$BATS_FILE_TMPDIR/rootfs.sums"
	export REGISTRY_DIR="$BATS_FILE_TMPDIR/registry"
	REGISTRY=$("$BATS_TEST_DIRNAME/registry/start.sh" "$REGISTRY_DIR")
	export REGISTRY
	# An image whose User the image does not have.
	tar -C "$ROOTFS" --sort=name --owner=0 --group=0 --numeric-owner -cf "$BATS_FILE_TMPDIR/busybox.tar" .
	push_image baduser nosuchuser "$BATS_FILE_TMPDIR/busybox.tar"
	# An image big enough that a pull is still running when it is killed:
	# 256 MiB of random data, uncompressed, in 8 files.
	mkdir -p "$BATS_FILE_TMPDIR/big/data"
	for i in 1 2 3 4 5 6 7 8; do
		head -c $((32 << 20)) /dev/urandom >"$BATS_FILE_TMPDIR/big/data/f$i"
	done
	tar -C "$BATS_FILE_TMPDIR/big" --owner=0 --group=0 --numeric-owner -cf "$BATS_FILE_TMPDIR/big.tar" data
	rm -rf "$BATS_FILE_TMPDIR/big"
	push_image big "" "$BATS_FILE_TMPDIR/big.tar"
	rm -f "$BATS_FILE_TMPDIR/big.tar" "$BATS_FILE_TMPDIR/busybox.tar"
}

teardown_file() {
	"$BATS_TEST_DIRNAME/registry/stop.sh" "$REGISTRY_DIR"
}

# push_image NAME USER LAYER-TAR: push $REGISTRY/rl-test/NAME:latest, one
# uncompressed layer, with USER as the config's User ("" for none).
push_image() {
	local name=$1 user=$2 layer=$3
	local layout="$BATS_FILE_TMPDIR/layout-$name" d c m config manifest
	mkdir -p "$layout/blobs/sha256"
	d=$(sha256sum "$layer" | cut -d' ' -f1)
	cp "$layer" "$layout/blobs/sha256/$d"
	config=$(jq -cn --arg d "sha256:$d" --arg u "$user" \
		'{architecture: "amd64", os: "linux", config: {User: $u, Cmd: ["/bin/sh"], Env: ["PATH=/bin"]}, rootfs: {type: "layers", diff_ids: [$d]}}')
	c=$(printf %s "$config" | sha256sum | cut -d' ' -f1)
	printf %s "$config" >"$layout/blobs/sha256/$c"
	manifest=$(jq -cn --arg c "sha256:$c" --argjson cs ${#config} --arg d "sha256:$d" --argjson s "$(stat -c %s "$layer")" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $d, size: $s}]}')
	m=$(printf %s "$manifest" | sha256sum | cut -d' ' -f1)
	printf %s "$manifest" >"$layout/blobs/sha256/$m"
	jq -cn --arg m "sha256:$m" --argjson s ${#manifest} \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $s,
		  annotations: {"org.opencontainers.image.ref.name": "latest"}}]}' >"$layout/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}\n' >"$layout/oci-layout"
	skopeo copy -q --dest-tls-verify=false --preserve-digests "oci:$layout:latest" "docker://$REGISTRY/rl-test/$name:latest"
	rm -rf "$layout"
}

teardown() {
	if [[ -n ${PULL_PID:-} ]]; then
		kill -KILL "$PULL_PID" 2>/dev/null || true
	fi
	assert_nothing_left
	# A store holds files of subordinate ids.
	if [[ -d $RL_TEST_ROOT ]]; then
		unshare --map-root-user --map-auto rm -rf "$RL_TEST_ROOT" 2>/dev/null || rm -rf "$RL_TEST_ROOT" || true
	fi
}

# wait_ready FIFO: wait for a container to write to FIFO (see fifo).
wait_ready() {
	timeout 20 cat "$1" >/dev/null
}

@test "--cpus NaN, Inf, denormal and negative are refused" {
	for v in NaN nan Inf -Inf +Inf 1e-320 0.001 -1 0 1e300 two; do
		rl_run --cpus "$v" true
		one_line_error
		expect_output_has "invalid --cpus \"$v\""
	done
}

@test "--dns and --dns-search that would break resolv.conf are refused" {
	rl_run --dns $'1.1.1.1\nnameserver 6.6.6.6' true
	one_line_error
	expect_output_has 'invalid --dns "1.1.1.1\nnameserver 6.6.6.6"'
	# netip takes anything after % as an IPv6 zone, a newline too.
	rl_run --dns $'fe80::1%x\nnameserver 6.6.6.6' true
	one_line_error
	expect_output_has 'the zone after % must be an interface name'
	rl_run --add-host $'db:fe80::1%x\n6.6.6.6 evil' true
	one_line_error
	expect_output_has 'invalid --add-host'
	for v in $'example.com\nnameserver 6.6.6.6' "a b" "a#b" "a;b" "" "a..b"; do
		rl_run --dns-search "$v" true
		one_line_error
		expect_output_has "invalid --dns-search"
	done
}

@test "a good --dns-search reaches resolv.conf" {
	command -v slirp4netns >/dev/null || skip "slirp4netns is not installed: the default network needs it"
	rl_run --dns 10.0.2.3 --dns-search example.com --dns-search lan. cat /etc/resolv.conf
	expect_status 0
	expect_output_has "search example.com lan."
}

@test "-e and --env-file with a newline or NUL in a name are refused" {
	rl_run -e $'A\nB=1' true
	one_line_error
	expect_output_has '"A\nB=1" (-e)'
	rl_run -e $'PATH\nLD_PRELOAD=/x' true
	one_line_error
	printf 'OK=1\nA\x01B=2\n' >"$BATS_TEST_TMPDIR/ctl.env"
	rl_run --env-file "$BATS_TEST_TMPDIR/ctl.env" true
	one_line_error
	expect_output_has "--env-file $BATS_TEST_TMPDIR/ctl.env line 2"
	printf 'OK=1\nA=b\0c\n' >"$BATS_TEST_TMPDIR/nul.env"
	rl_run --env-file "$BATS_TEST_TMPDIR/nul.env" true
	one_line_error
	expect_output_has "a value may not hold NUL"
	# A newline in a value is a value.
	# shellcheck disable=SC2016 # the container's shell expands $A
	rl_run -e $'A=1\n2' sh -c 'printf %s "$A"'
	expect_status 0
	[[ $output == $'1\n2' ]]
}

@test "rl exec -u refuses a FIFO at the container's /etc/passwd instead of hanging" {
	local ready
	ready=$(fifo ready)
	run rl run -d -v "$ready:/ready" --rootfs "$ROOTFS" sh -c 'rm /etc/passwd && mkfifo /etc/passwd && echo > /ready && exec sleep 100'
	expect_status 0
	local c=$output
	wait_ready "$ready"
	run timeout 20 "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" exec -u nobody "$c" true
	# 124 is timeout's: the exec hung on the FIFO, as it did.
	[[ $status != 124 ]] || fail "rl exec -u hung on a FIFO at /etc/passwd"
	one_line_error
	expect_output_has "reading the container's /etc/passwd: not a regular file (a FIFO)"
	run rl rm -f "$c"
	expect_status 0
}

@test "rl exec -u resolves the container's /etc/passwd links inside the container" {
	# A file that exists on the host only, and that the container's
	# absolute link names.
	local host="$BATS_TEST_TMPDIR/hostpasswd" ready
	echo "evil:x:4242:4242::/evil:/bin/sh" >"$host"
	chmod 0644 "$host"
	ready=$(fifo ready)
	run rl run -d -v "$ready:/ready" --rootfs "$ROOTFS" sh -c "ln -sf '$host' /etc/passwd && echo > /ready && exec sleep 100"
	expect_status 0
	local c=$output
	wait_ready "$ready"
	run rl exec -u evil "$c" id -u
	one_line_error
	expect_output_has "no user \"evil\" in the container's /etc/passwd"
	run rl rm -f "$c"
	expect_status 0
}

@test "rl exec into a container whose init left its namespaces gets its own hint" {
	local ready
	ready=$(fifo ready)
	# The init moves into a user namespace of its own, which owns none
	# of the container's other namespaces, and says so from there. (rl's
	# seccomp filter refuses unshare(CLONE_NEWUSER), as docker's does: a
	# nested container runtime runs unconfined.)
	run rl run -d -v "$ready:/ready" --security-opt seccomp=unconfined --rootfs "$ROOTFS" unshare -U sh -c 'echo > /ready && exec sleep 100'
	expect_status 0
	local c=$output
	wait_ready "$ready"
	run rl exec "$c" true
	one_line_error
	expect_output_has "joining the container's namespaces"
	expect_output_has "has moved into namespaces of its own"
	[[ $output != *AppArmor* ]] || fail "the AppArmor hint for a join failure: $output"
	run rl rm -f "$c"
	expect_status 0
}

@test "an image User that does not resolve is named as the image's" {
	run rl pull -q --tls-verify=false "$REGISTRY/rl-test/baduser"
	expect_status 0
	run rl run --rm "$REGISTRY/rl-test/baduser" true
	one_line_error
	expect_output_has "the image's User \"nosuchuser\" does not resolve"
	expect_output_has "run with --user to choose another"
	run rl run --rm --user nobody "$REGISTRY/rl-test/baduser" true
	expect_status 0
}

@test "rl.conf: an unknown key is named as such, a long line by file and line" {
	[[ $(id -u) != 0 ]] || skip "root reads /etc/rl/rl.conf, the machine's own, which a test must not write"
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
	mkdir -p "$XDG_CONFIG_HOME/rl"
	printf '# mine\nunknown_key = 1\n' >"$XDG_CONFIG_HOME/rl/rl.conf"
	run "$RL_BIN" ps
	one_line_error
	expect_output_has "rl.conf line 2: unknown key \"unknown_key\""
	{
		echo "# mine"
		head -c $((2 << 20)) /dev/zero | tr '\0' x
		echo
	} >"$XDG_CONFIG_HOME/rl/rl.conf"
	run "$RL_BIN" ps
	one_line_error
	expect_output_has "$XDG_CONFIG_HOME/rl/rl.conf line 2: longer than 64 KiB"
}

@test "the no-subordinate-ids warning names the files read and a free range" {
	requires rootless
	# Others hold the usual first ranges in the files rl reads.
	printf 'someone:100000:65536\n' >"$BATS_TEST_TMPDIR/subuid"
	printf 'other:165536:65536\n' >"$BATS_TEST_TMPDIR/subgid"
	RL_SUBUID_FILE="$BATS_TEST_TMPDIR/subuid" RL_SUBGID_FILE="$BATS_TEST_TMPDIR/subgid" rl_run true
	expect_status 0
	expect_output_has "no subordinate ids for $(id -un) in $BATS_TEST_TMPDIR/subuid and $BATS_TEST_TMPDIR/subgid"
	expect_output_has "--add-subuids 231072-296607 --add-subgids 231072-296607"
	[[ $output != *"/etc/subuid and"* ]] || fail "the warning names /etc/subuid: $output"
}

# start_pull: start `rl pull` of the big image in its own process group,
# so that the test can send the group a signal as a terminal's Ctrl-C
# does; PULL_PID is rl's pid. It waits until rl-image has a file open in
# its temporary directory, PULL_TMP, and skips the test if the pull ended
# before.
start_pull() {
	setsid "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" pull --tls-verify=false \
		"$REGISTRY/rl-test/big" >"$BATS_TEST_TMPDIR/pull.out" 2>&1 &
	PULL_PID=$!
	local _
	for _ in $(seq 200); do
		PULL_TMP=$(pull_temp_dir)
		if [[ -n $PULL_TMP ]]; then
			return 0
		fi
		kill -0 "$PULL_PID" 2>/dev/null || skip "the pull finished before it could be interrupted"
		sleep 0.05
	done
	fail "the pull had no temporary directory after 10 s"
}

# image_pids: the pids of this test's rl-image processes (zombies aside:
# orphans wait for this machine's init to reap them).
image_pids() {
	pgrep -u "$(id -u)" -r D,R,S,T -f "rl-image.* --root $RL_TEST_ROOT/" || true
}

# pull_temp_dir: the directory of containers/image's temporary files
# (/var/tmp/container_images_storage*) that this test's rl-image has a
# file open in, if any. (Other pulls on the machine have their own.)
pull_temp_dir() {
	local p
	for p in $(image_pids); do
		find "/proc/$p/fd" -lname '/var/tmp/container_images_storage*' -printf '%l\n' 2>/dev/null
	done | sed -n 's|^\(/var/tmp/container_images_storage[^/]*\).*|\1|p' | head -n 1
}

# pull_left: fail if an rl-image or storage-untar of this test still
# runs, or the pull's temporary directory is left.
pull_left() {
	local p
	p=$(image_pids)
	[[ -z $p ]] || fail "rl-image still runs: pids" $p
	for p in $(pgrep -u "$(id -u)" -r D,R,S,T -f '^storage-untar'); do
		if ls -l "/proc/$p/cwd" "/proc/$p/root" 2>/dev/null | grep -q -e "$RL_TEST_ROOT"; then
			fail "storage-untar $p still runs"
		fi
	done
	[[ ! -e $PULL_TMP ]] || fail "temporary directory left: $PULL_TMP"
}

# wait_image_gone: wait (10 s at most) until no rl-image of this test runs.
wait_image_gone() {
	local _
	for _ in $(seq 200); do
		if [[ -z $(image_pids) ]]; then
			return 0
		fi
		sleep 0.05
	done
}

@test "Ctrl-C during rl pull: one line, rl-image stops, nothing left" {
	start_pull
	# A terminal's Ctrl-C: SIGINT to the whole foreground process group.
	kill -INT -- "-$PULL_PID"
	local st=0
	wait "$PULL_PID" || st=$?
	PULL_PID=
	status=$st
	expect_status 130
	run cat "$BATS_TEST_TMPDIR/pull.out"
	# Progress lines, then exactly one error line.
	[[ $(grep -c '^rl: ' <<<"$output") == 1 && ${lines[-1]} == "rl: pull interrupted" ]] ||
		fail "want progress and one 'rl: pull interrupted': $output"
	[[ $output != *level=* && $output != *"JSON"* ]] || fail "noise on Ctrl-C: $output"
	pull_left
	run rl images --format '{{.Repository}}'
	[[ $output != *rl-test/big* ]] || fail "the interrupted image was kept: $output"
}

@test "SIGTERM to rl pull: rl-image stops, nothing left" {
	start_pull
	kill -TERM "$PULL_PID"
	local st=0
	wait "$PULL_PID" || st=$?
	PULL_PID=
	status=$st
	expect_status 143
	run tail -n 1 "$BATS_TEST_TMPDIR/pull.out"
	[[ $output == "rl: pull interrupted" ]] || fail "last line: $output"
	pull_left
}

@test "SIGKILL to rl pull: rl-image dies with it, nothing left" {
	start_pull
	kill -KILL "$PULL_PID"
	local st=0
	wait "$PULL_PID" || st=$?
	PULL_PID=
	status=$st
	expect_status 137
	wait_image_gone
	pull_left
}

@test "SIGTERM to rl-image: the pull is cancelled, nothing left" {
	start_pull
	local img
	img=$(pgrep -P "$PULL_PID" -x rl-image)
	kill -TERM "$img"
	local st=0
	wait "$PULL_PID" || st=$?
	PULL_PID=
	status=$st
	expect_status 125
	run tail -n 1 "$BATS_TEST_TMPDIR/pull.out"
	[[ $output == "rl: pull interrupted by SIGTERM" ]] || fail "last line: $output"
	pull_left
}

# with_rl_conf LINE: the user's rl.conf holds LINE (rootless only: root's
# is the machine's own /etc/rl/rl.conf, which a test must not write).
with_rl_conf() {
	[[ $(id -u) != 0 ]] || skip "root reads /etc/rl/rl.conf, the machine's own, which a test must not write"
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
	mkdir -p "$XDG_CONFIG_HOME/rl"
	echo "$1" >"$XDG_CONFIG_HOME/rl/rl.conf"
}

@test "rl.conf's max_layer_file refuses a layer with a larger file, and keeps nothing of it" {
	with_rl_conf "max_layer_file = 16m"
	run rl pull -q --tls-verify=false "$REGISTRY/rl-test/big"
	expect_status 125
	expect_output_has "larger than 16 MiB (max_layer_file in rl.conf)"
	[[ ${#lines[@]} == 1 ]] || fail "want one line, got: $output"
	store_has_no_layers
	run rl images -q
	[[ -z $output ]] || fail "an image was kept: $output"
}

@test "rl.conf's min_free stops a pull that would leave less free, and keeps nothing of it" {
	with_rl_conf "min_free = 1000000g"
	run rl pull -q --tls-verify=false "$REGISTRY/rl-test/big"
	expect_status 125
	expect_output_has "it would leave less than"
	[[ ${#lines[@]} == 1 ]] || fail "want one line, got: $output"
	store_has_no_layers
}

#!/usr/bin/env bats
# Hostile images (tests/registry/mkhostile.py): layers and configs written
# to get out of the image store. Every case pulls into a store of its own
# and then either fails with one line, exit 125 and nothing kept (no image,
# no layer record, no layer directory), or succeeds harmlessly. Either way
# nothing is written outside the store: the canary directory that the
# layers aim at, and the test's HOME and TMPDIR, are as they were (teardown
# compares them), and each host path a layer named is checked with find.
# A blob that does not match its digest is images.bats's case (it reuses
# the registry's storage); seccomp is not asserted on here.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export REGISTRY_DIR="$BATS_FILE_TMPDIR/registry"
	REGISTRY=$("$BATS_TEST_DIRNAME/registry/start.sh" "$REGISTRY_DIR")
	export REGISTRY
	# The canary: where the layers try to write, hard-link, white out and
	# chdir to. The test user owns it, so an escape would succeed.
	export CANARY="$BATS_FILE_TMPDIR/canary"
	mkdir -p "$CANARY"
	echo secret >"$CANARY/secret"
	echo victim >"$CANARY/victim"
	echo victim2 >"$CANARY/victim2"
	canary_state >"$BATS_FILE_TMPDIR/canary.state"
	"$BATS_TEST_DIRNAME/registry/mkhostile.py" "$REGISTRY" "$CANARY" >"$BATS_FILE_TMPDIR/digests"
}

teardown_file() {
	"$BATS_TEST_DIRNAME/registry/stop.sh" "$REGISTRY_DIR"
}

setup() {
	export RL_TEST_ROOT="$BATS_TEST_TMPDIR/store"
	export RL_TEST_RUNROOT="$BATS_TEST_TMPDIR/run"
	export HOME="$BATS_TEST_TMPDIR/home" TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$HOME" "$TMPDIR"
}

teardown() {
	assert_nothing_left
	canary_untouched
	# rl keeps nothing in HOME or TMPDIR: both stay empty.
	local left
	left=$(find "$HOME" "$TMPDIR" -mindepth 1 2>/dev/null)
	[[ -z $left ]] || fail "written to HOME or TMPDIR: $left"
	remove_store "$RL_TEST_ROOT"
}

# canary_state: every path in the canary with its type, mode, link count,
# size, mtime and contents' digest.
canary_state() {
	(cd "$CANARY" && find . -printf '%p %y %m %n %s %T@\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}

canary_untouched() {
	diff "$BATS_FILE_TMPDIR/canary.state" <(canary_state) || fail "the canary directory changed"
}

# not_on_host NAME...: nothing named NAME exists anywhere in the canary
# (every host path the layers aim at lies in it).
not_on_host() {
	local n found
	for n in "$@"; do
		found=$(find "$CANARY" -name "$n")
		[[ -z $found ]] || fail "written on the host: $found"
	done
}

# remove_store DIR: a store holds files of subordinate ids: remove it the
# way rl does for containers, from inside a user namespace.
remove_store() {
	if [[ -d $1 ]]; then
		unshare --map-root-user --map-auto rm -rf "$1" 2>/dev/null || rm -rf "$1"
	fi
}

# pull_hostile NAME: pull rl-hostile/NAME. A refusal must be one line,
# exit 125, with no image and no layer left; then pulled=0 (and
# pull_output is its message). A success
# sets pulled=1, for the caller to check that it is harmless.
pull_hostile() {
	run rl pull --tls-verify=false -q "$REGISTRY/rl-hostile/$1"
	pull_output=$output
	if [[ $status == 0 ]]; then
		pulled=1
		return 0
	fi
	pulled=0
	one_line_error
	store_has_no_layers
	run rl images -q
	expect_status 0
	[[ -z $output ]] || fail "a refused pull left images: $output"
}

# run_hostile NAME ARGS...: run rl-hostile/NAME (pulled already).
run_hostile() {
	local name=$1
	shift
	run rl run --rm --network none --pull=never "$REGISTRY/rl-hostile/$name" "$@"
}

# layer_files: the layers' files on disk, as the host sees them.
layer_files() {
	find "$RL_TEST_ROOT/storage/overlay" -mindepth 3 -path '*/diff/*' "$@"
}

# unreachable_by_others FILE: some directory above FILE lets neither its
# group nor others search it, so no other user can reach FILE.
unreachable_by_others() {
	local d mode
	d=$(dirname "$1")
	while [[ $d != / ]]; do
		mode=$(stat -c %a "$d")
		if (((8#$mode & 8#011) == 0)); then
			return 0
		fi
		d=$(dirname "$d")
	done
	fail "$1 is reachable by other users (no directory above it is private)"
}

@test "entries named ../ and absolute stay inside the layer" {
	for name in dotdot absolute; do
		pull_hostile "$name"
		if ((pulled)); then
			# Rooted at the layer: they appear in the container under the
			# path they named.
			run_hostile "$name" sh -c "cat $CANARY/dotdot $CANARY/dotdot-etc /dotdot-parent 2>/dev/null; cat $CANARY/absolute 2>/dev/null; test -d $CANARY/absolute-dir && echo dir; true"
			expect_status 0
			expect_output_has escaped
		fi
	done
	not_on_host dotdot dotdot-etc dotdot-parent absolute absolute-dir
	[[ ! -e $(dirname "$RL_TEST_ROOT")/dotdot-parent ]]
	layer_files -name 'dotdot*' -o -name 'absolute*' >/dev/null
}

@test "a symlink to / or ../../.. and a file written through it, in a later layer or the same one" {
	for name in symlink symlink-same-layer; do
		pull_hostile "$name"
		if ((pulled)); then
			run_hostile "$name" sh -c "cat /to-canary/via-canary-link /to-canary/same-layer $CANARY/via-root-link $CANARY/via-up-link $CANARY/via-rel-link $CANARY/same-layer-up 2>/dev/null | wc -l"
			expect_status 0
			[[ $output -ge 1 ]] || fail "the files written through the links are not in the container: $output"
		fi
	done
	not_on_host via-root-link via-canary-link via-up-link via-rel-link same-layer same-layer-up
}

@test "hard links to files outside the layer, directly or through a symlink" {
	for name in hardlink hardlink-via-symlink; do
		pull_hostile "$name"
		if ((pulled)); then
			# Whatever the links became, writing to them leaves the host
			# file alone (teardown checks its contents and link count).
			run_hostile "$name" sh -c 'for f in /hl-abs /hl-rel /hl-via-link; do [ -e $f ] && echo overwritten >$f; done; true'
			expect_status 0
		fi
	done
	[[ $(stat -c %h "$CANARY/secret") == 1 ]] || fail "$CANARY/secret gained a hard link"
}

@test "device nodes in a layer: none can be opened, and none is reachable on the host by other users" {
	pull_hostile devices
	if ((pulled)); then
		run_hostile devices sh -c 'for d in /devs/disk /devs/sda /devs/mem; do head -c 1 $d 2>/dev/null; done | wc -c'
		expect_status 0
		[[ $output == 0 ]] || fail "read $output bytes from the image's device nodes"
	fi
	# Overlay whiteouts are 0:0 character devices; any other node the store
	# holds must be out of other users' reach.
	local node
	while IFS= read -r node; do
		[[ $(stat -c %t:%T "$node") == 0:0 ]] && continue
		unreachable_by_others "$node"
		if [[ $(id -u) == 0 ]]; then
			! runuser -u nobody -- test -e "$node" || fail "nobody can reach $node"
		fi
	done < <(layer_files \( -type b -o -type c \) 2>/dev/null)
}

@test "setuid and setgid files: on disk they carry no privilege the user does not have" {
	pull_hostile setuid
	((pulled)) || fail "the setuid image was refused: $output"
	run_hostile setuid stat -c '%a %u' /suid/root-busybox
	expect_status 0
	[[ $output == "6755 0" ]] || fail "inside: $output"
	local files=() f owner
	mapfile -t files < <(layer_files -type f -perm /6000)
	((${#files[@]} >= 3)) || fail "the setuid files are not in the store: ${files[*]}"
	local me sub_start sub_count
	me=$(id -u)
	sub_start=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
	sub_count=$(awk -F: -v u="$(id -un)" '$1 == u { print $3; exit }' /etc/subuid)
	for f in "${files[@]}"; do
		owner=$(stat -c %u "$f")
		if ((me != 0)); then
			# Container root's files are the user's own, the others' a
			# subordinate uid's: running one gains no id beyond those
			# newuidmap grants the user anyway. Never real root.
			[[ $owner == "$me" ]] || { ((owner >= sub_start && owner < sub_start + sub_count)); } ||
				fail "$f is setuid to $owner, neither the user nor a subordinate uid"
		fi
		unreachable_by_others "$f"
		if ((me == 0)); then
			! runuser -u nobody -- test -e "$f" || fail "nobody can reach the setuid file $f"
		fi
	done
}

@test "owners beyond the id range: refused rootless, kept as they are as root" {
	for name in uid70000 uidmax; do
		pull_hostile "$name"
		if [[ $(id -u) != 0 ]]; then
			((!pulled)) || fail "rootless, $name has ids beyond a 65536-id range and must be refused"
			[[ $pull_output == *subordinate* ]] || fail "the refusal does not say why: $pull_output"
		else
			((pulled)) || fail "as root, $name's ids are valid: $output"
		fi
	done
	if [[ $(id -u) == 0 ]]; then
		run_hostile uidmax stat -c %u:%g /ids/u4294967294
		expect_status 0
		[[ $output == 4294967294:4294967294 ]]
	fi
}

@test "whiteouts of . and .., a directory named .wh., opaque markers at / and below a file" {
	for name in whiteout-dots whiteout-dir whiteout-opaque; do
		pull_hostile "$name"
		if ((pulled)); then
			# At worst they hide the image's own files: the busybox layer
			# below is intact in the store.
			# (Not under run: bats warns of a 127, which an opaque root
			# that hides /bin rightly gives.)
			local code=0
			rl run --rm --network none --pull=never "$REGISTRY/rl-hostile/$name" true >"$BATS_TEST_TMPDIR/out" 2>&1 || code=$?
			[[ $code == 0 || $code == 127 ]] || fail "$name: exit $code: $(<"$BATS_TEST_TMPDIR/out")"
			[[ -n $(layer_files -path '*/diff/bin/busybox') ]] || fail "$name: a whiteout removed a lower layer's file"
		fi
	done
}

@test "whiteouts that climb to the host or go through a symlink delete nothing there" {
	for name in whiteout-escape whiteout-through-symlink; do
		pull_hostile "$name"
		if ((pulled)); then
			run_hostile "$name" true
			expect_status 0
		fi
	done
	[[ -f $CANARY/victim && -f $CANARY/victim2 ]]
}

@test "100,000 entries in one layer pull, and all of them are there" {
	local start=$SECONDS
	pull_hostile many
	((pulled)) || fail "refused: $output"
	local took=$((SECONDS - start))
	# Timed for the log, not asserted: this is a test, not a benchmark.
	echo "# pulled 100,000 entries in ${took}s" >&3
	run_hostile many sh -c 'ls /many/99 | wc -l'
	expect_status 0
	[[ $output == 999 ]]
}

@test "directories nested 1999 deep are refused in one line; 200 deep pull" {
	pull_hostile deep
	((!pulled)) || fail "a layer 1999 directories deep was pulled"
	[[ $pull_output == *"257 levels deep, more than the 256"* ]] || fail "the refusal does not say why: $pull_output"
	pull_hostile deep200
	((pulled)) || fail "refused: $output"
	run_hostile deep200 cat "/$(printf 'd/%.0s' {1..200})bottom"
	expect_status 0
	[[ $output == bottom ]]
}

@test "a config with a 1 MB Env fails with one line" {
	pull_hostile bigenv
	((pulled)) || fail "refused: $output"
	run_hostile bigenv true
	one_line_error
	expect_output_has "environment"
}

@test "a config with User ../../etc fails with one line naming it" {
	pull_hostile baduser
	((pulled)) || fail "refused: $output"
	run_hostile baduser true
	one_line_error
	expect_output_has '"../../etc"'
}

@test "a WorkingDir through a symlink out of the root is made inside the root" {
	for name in workdir-abs workdir-rel; do
		pull_hostile "$name"
		((pulled)) || fail "refused: $output"
		run_hostile "$name" sh -c 'pwd; echo in >made-here; ls /wd/'
		expect_status 0
		expect_output_has made-by-workdir
	done
	not_on_host made-by-workdir made-here
}

# helpers.bash: shared by rl's bats suites. Each test gets its own store
# (--root/--runroot in its temp dir) and a busybox root filesystem made once
# per file; teardown fails the test if it left a container, a mount or an
# rl-init process behind.

RL_BIN=${RL_BIN:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)/bin/rl}

# rl runs the rl binary against the test's own store.
rl() {
	"$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" "$@"
}

# rl_background ARGS...: start rl in the background such that $! is the
# pid of rl itself, not of a subshell running the rl function.
rl_background() {
	(exec "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" "$@") &
}

# rl_run runs `rl run --rm --rootfs $ROOTFS ARGS...` under bats' run.
rl_run() {
	run rl run --rm --rootfs "$ROOTFS" "$@"
}

setup_file() {
	export ROOTFS="$BATS_FILE_TMPDIR/rootfs"
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$ROOTFS"
	find "$ROOTFS" -type f -exec sha256sum {} + | sort >"$BATS_FILE_TMPDIR/rootfs.sums"
}

setup() {
	export RL_TEST_ROOT="$BATS_TEST_TMPDIR/store"
	export RL_TEST_RUNROOT="$BATS_TEST_TMPDIR/run"
}

teardown() {
	assert_nothing_left
}

# assert_nothing_left fails when the test's store still holds a container
# (or its entry in the active index), a process of ours still has a mount
# under the store, or an rl-init runs.
assert_nothing_left() {
	local left
	# A removed container's files go in a process of their own (rl
	# purge), which holds the run root's purging lock until they are gone.
	[[ ! -e $RL_TEST_RUNROOT/purging ]] || flock "$RL_TEST_RUNROOT/purging" true
	left=$(find "$RL_TEST_ROOT/containers" "$RL_TEST_RUNROOT/containers" "$RL_TEST_RUNROOT/active" \
		-mindepth 1 -maxdepth 1 ! -name .complete 2>/dev/null || true)
	if [[ -n $left ]]; then
		echo "containers left in the store: $left"
		return 1
	fi
	if grep -ls -e "$RL_TEST_ROOT" -e "$RL_TEST_RUNROOT" /proc/[0-9]*/mountinfo; then
		echo "processes above still have mounts under the test store"
		return 1
	fi
	# Zombies do not count: orphans wait for this machine's init to reap
	# them.
	if pgrep -u "$(id -u)" -r D,R,S,T -x rl-init; then
		echo "rl-init processes left running"
		return 1
	fi
	# A monitor of this test holds files of its store open.
	local m
	for m in $(pgrep -u "$(id -u)" -r D,R,S,T -f "^rl monitor "); do
		if ls -l "/proc/$m/fd" 2>/dev/null | grep -q -e "$RL_TEST_ROOT"; then
			echo "container monitor $m left running"
			return 1
		fi
	done
	if pgrep -u "$(id -u)" -r D,R,S,T -f "fuse-overlayfs .*$RL_TEST_ROOT"; then
		echo "fuse-overlayfs processes left running"
		return 1
	fi
}

# requires CONDITION...: skip the test, with the reason, unless each holds.
requires() {
	for c in "$@"; do
		case $c in
		rootless) [[ $(id -u) != 0 ]] || skip "only meaningful rootless: root uses no subordinate ids" ;;
		root) [[ $(id -u) == 0 ]] || skip "needs root" ;;
		*) fail "unknown requirement $c" ;;
		esac
	done
}

# rootless_because REASON...: skip the test as root, saying why it means
# nothing there (requires rootless is for the subordinate ids).
rootless_because() {
	[[ $(id -u) != 0 ]] || skip "only meaningful rootless: $*"
}

fail() {
	echo "$@" >&2
	return 1
}

# expect_status N: fail with the output unless $status is N.
expect_status() {
	if [[ $status != "$1" ]]; then
		fail "exit status $status, want $1; output: $output"
	fi
}

# expect_output_has TEXT: fail unless $output contains TEXT.
expect_output_has() {
	if [[ $output != *"$1"* ]]; then
		fail "output lacks '$1': $output"
	fi
}

# one_line_error: bad input prints exactly one line, starting "rl: ".
one_line_error() {
	expect_status 125
	if [[ ${#lines[@]} != 1 || ${lines[0]} != "rl: "* ]]; then
		fail "want one 'rl: ...' line, got: $output"
	fi
}

# rootfs_unchanged: the lower layer has the same files and contents as when
# setup_file made it.
rootfs_unchanged() {
	diff <(find "$ROOTFS" -type f -exec sha256sum {} + | sort) "$BATS_FILE_TMPDIR/rootfs.sums"
}

# fifo NAME: make a named pipe in the test's temp dir and print its path.
# A container writes to it (through a -v mount) to tell the test it is
# ready, which the test waits for with `timeout 20 cat`.
fifo() {
	local p="$BATS_TEST_TMPDIR/$1"
	mkfifo "$p"
	chmod 0666 "$p"
	echo "$p"
}

# store_has_no_layers: the test's store holds no layer, in its records or
# on disk.
store_has_no_layers() {
	local recorded=0 on_disk=0 records=$RL_TEST_ROOT/storage/overlay-layers/layers.json
	if [[ -e $records ]]; then recorded=$(jq length "$records"); fi
	if [[ -d $RL_TEST_ROOT/storage/overlay ]]; then
		on_disk=$(find "$RL_TEST_ROOT/storage/overlay" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*' | wc -l)
	fi
	[[ $recorded == 0 && $on_disk == 0 ]] || fail "the store kept $recorded layer records and $on_disk layer dirs"
}

# detach ARGS...: rl run -d --network none --rootfs $ROOTFS ARGS...,
# setting $id.
detach() {
	run rl run -d --network none --rootfs "$ROOTFS" "$@"
	expect_status 0
	id=$output
	[[ $id =~ ^[0-9a-f]{64}$ ]] || fail "not an id: $id"
}

# remove_all_containers: a teardown's catch for what a failed test left.
remove_all_containers() {
	local ids
	mapfile -t ids < <(rl ps -aq 2>/dev/null)
	if ((${#ids[@]})); then rl rm -f "${ids[@]}" >/dev/null 2>&1 || true; fi
}

# gone PID...: wait (at most 10 s) until none of the processes runs any
# more (a zombie no longer runs).
gone() {
	local pid state
	for _ in $(seq 200); do
		state=""
		for pid in "$@"; do
			state+=$(ps -o stat= -p "$pid" 2>/dev/null | grep -v '^Z' || true)
		done
		[[ -z $state ]] && return 0
		sleep 0.05
	done
	fail "still running: $(ps -o pid=,comm= -p "$*")"
}

# start_registry (in setup_file): start the local test registry
# (tests/registry) in the file's temp dir, export its address as REGISTRY
# and push the test images to it. stop_registry (in teardown_file) stops
# it.
start_registry() {
	export REGISTRY_DIR="$BATS_FILE_TMPDIR/registry"
	REGISTRY=$("$BATS_TEST_DIRNAME/registry/start.sh" "$REGISTRY_DIR")
	export REGISTRY
	"$BATS_TEST_DIRNAME/registry/mkimages.sh" "$REGISTRY" >/dev/null
}

stop_registry() {
	"$BATS_TEST_DIRNAME/registry/stop.sh" "$REGISTRY_DIR"
}

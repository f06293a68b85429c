#!/usr/bin/env bats
# The seccomp filter: docker's default profile for every container, compiled
# once into the run root's cache; seccomp=unconfined and --privileged for
# none; a profile file, parsed strictly; rl exec under the container's
# filter; ENOSYS, not EPERM, for a syscall newer than the profile.

load helpers
bats_require_minimum_version 1.5.0

# SYSPROBE (tests/cmd/sysprobe, built by `make integration`) makes one
# syscall with arguments the kernel refuses with an errno of its own
# before it checks privileges, and prints the errno's name: without a
# filter the answer is never EPERM, so EPERM is the filter's.
SYSPROBE=$BATS_TEST_DIRNAME/bin/sysprobe

setup() {
	export RL_TEST_ROOT="$BATS_TEST_TMPDIR/store"
	export RL_TEST_RUNROOT="$BATS_TEST_TMPDIR/run"
	[[ -x $SYSPROBE ]] || fail "$SYSPROBE is missing: build it with make integration"
}

teardown() {
	local ids=()
	mapfile -t ids < <(rl ps -aq 2>/dev/null)
	if ((${#ids[@]})); then rl rm -f "${ids[@]}" >/dev/null 2>&1 || true; fi
	assert_nothing_left
}

# probe ARGS...: rl run --rm ARGS... with sysprobe at /sysprobe; the
# options end at the first argument that is not one, so give the rl
# options first and then the probe's arguments after "--".
probe() {
	local opts=()
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	rl_run --network none -v "$SYSPROBE:/sysprobe:ro" "${opts[@]}" /sysprobe "$@"
}

# denied_probes are the probes the default profile refuses with EPERM and
# the answer each gets without a filter.
declare -A unconfined_answer=(
	[keyctl]=ENOTSUP [add_key]=EFAULT [perf_event_open]=EFAULT [bpf]=E2BIG
	[mount]=ENOENT [clone-newuser]=OK
)

@test "a default container is under one seccomp filter (Seccomp: 2, Seccomp_filters: 1), with --init too" {
	rl_run --network none grep -E '^Seccomp(_filters)?:' /proc/self/status
	expect_status 0
	[[ ${lines[0]} =~ ^Seccomp:[[:space:]]+2$ ]] || fail "want Seccomp: 2: $output"
	[[ ${lines[1]} =~ ^Seccomp_filters:[[:space:]]+1$ ]] || fail "want Seccomp_filters: 1: $output"
	rl_run --network none --init grep -E '^Seccomp(_filters)?:' /proc/self/status
	expect_status 0
	[[ ${lines[0]} =~ ^Seccomp:[[:space:]]+2$ && ${lines[1]} =~ ^Seccomp_filters:[[:space:]]+1$ ]] || fail "--init: $output"
}

@test "seccomp=unconfined and --privileged run without a filter" {
	rl_run --network none --security-opt seccomp=unconfined grep '^Seccomp:' /proc/self/status
	expect_status 0
	[[ $output =~ ^Seccomp:[[:space:]]+0$ ]] || fail "unconfined: $output"
	rl_run --network none --privileged grep '^Seccomp:' /proc/self/status
	expect_status 0
	[[ $output =~ ^Seccomp:[[:space:]]+0$ ]] || fail "--privileged: $output"
}

@test "the default profile refuses keyctl, add_key, perf_event_open, bpf, mount and clone(CLONE_NEWUSER) with EPERM; unconfined, the kernel answers" {
	for p in "${!unconfined_answer[@]}"; do
		probe -- "$p"
		expect_status 0
		[[ $output == EPERM ]] || fail "$p under the default profile: $output, want EPERM"
		probe --security-opt seccomp=unconfined -- "$p"
		expect_status 0
		[[ $output == "${unconfined_answer[$p]}" ]] || fail "$p unconfined: $output, want ${unconfined_answer[$p]}"
	done
}

@test "a nested user namespace (unshare -U) is refused by the default profile and allowed unconfined" {
	rl_run --network none unshare -U true
	[[ $status != 0 ]] || fail "unshare -U succeeded under the default profile"
	expect_output_has "Operation not permitted"
	rl_run --network none --security-opt seccomp=unconfined unshare -U sh -c 'readlink /proc/self/ns/user'
	expect_status 0
	expect_output_has "user:["
}

@test "capability-gated syscalls follow the container's capabilities: --cap-add SYS_ADMIN allows mount and unshare" {
	probe --cap-add SYS_ADMIN -- mount
	expect_status 0
	[[ $output == ENOENT ]] || fail "mount with CAP_SYS_ADMIN: $output, want the kernel's ENOENT"
	rl_run --network none --cap-add SYS_ADMIN unshare -U true
	expect_status 0
	# A different capability set is another program in the cache.
	run find "$RL_TEST_RUNROOT/seccomp" -name '*.bpf'
	[[ ${#lines[@]} == 1 ]] || fail "want 1 cached program: $output"
	probe -- mount
	[[ $output == EPERM ]] || fail "mount without CAP_SYS_ADMIN: $output, want EPERM"
	run find "$RL_TEST_RUNROOT/seccomp" -name '*.bpf'
	[[ ${#lines[@]} == 2 ]] || fail "want 2 cached programs (podman's and CAP_SYS_ADMIN's capability sets): $output"
}

@test "a syscall number above the profile's is ENOSYS (libc falls back), clone3 without CAP_SYS_ADMIN too; unconfined it is ENOSYS from the kernel" {
	probe -- nr 1000
	expect_status 0
	[[ $output == ENOSYS ]] || fail "syscall 1000: $output, want ENOSYS"
	probe -- nr 435
	expect_status 0
	[[ $output == ENOSYS ]] || fail "clone3: $output, want ENOSYS"
	# A known syscall outside the allow list stays EPERM.
	probe -- nr 155
	expect_status 0
	[[ $output == EPERM ]] || fail "pivot_root: $output, want EPERM"
	probe --security-opt seccomp=unconfined -- nr 1000
	expect_status 0
	[[ $output == ENOSYS ]] || fail "syscall 1000 unconfined: $output"
}

@test "the compiled filter is cached under the run root, once per profile and capability set" {
	rl_run --network none true
	expect_status 0
	run find "$RL_TEST_RUNROOT/seccomp" -type f
	[[ ${#lines[@]} == 1 && ${lines[0]} == *.bpf ]] || fail "want one cached program: $output"
	local before
	before=$(stat -c %Y.%i "${lines[0]}")
	rl_run --network none true
	expect_status 0
	run find "$RL_TEST_RUNROOT/seccomp" -type f
	[[ ${#lines[@]} == 1 && $(stat -c %Y.%i "${lines[0]}") == "$before" ]] || fail "the second start did not reuse the program: $output"
}

@test "a custom profile that denies mkdir makes mkdir fail with EPERM" {
	cat >"$BATS_TEST_TMPDIR/nomkdir.json" <<'JSON'
{
	"defaultAction": "SCMP_ACT_ALLOW",
	"syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}
	]
}
JSON
	probe --security-opt "seccomp=$BATS_TEST_TMPDIR/nomkdir.json" -- mkdir /tmp/d
	expect_status 0
	[[ $output == EPERM ]] || fail "mkdir: $output, want EPERM"
	rl_run --network none --security-opt "seccomp=$BATS_TEST_TMPDIR/nomkdir.json" sh -c 'mkdir /tmp/d; echo $?; touch /tmp/f && echo touched'
	expect_status 0
	expect_output_has "Operation not permitted"
	expect_output_has "touched"
	# What the default profile refuses, this one allows.
	probe --security-opt "seccomp=$BATS_TEST_TMPDIR/nomkdir.json" -- keyctl
	[[ $output == ENOTSUP ]] || fail "keyctl under a deny-list profile: $output"
}

@test "a malformed profile is refused before anything is created, naming the field" {
	local f=$BATS_TEST_TMPDIR/bad.json
	echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALOW"}]}' >"$f"
	rl_run --network none --security-opt "seccomp=$f" true
	one_line_error
	expect_output_has "seccomp profile $f: syscalls[0].action: unknown action \"SCMP_ACT_ALOW\""
	echo '{"defaultAction": "SCMP_ACT_ERRNO", "sycalls": []}' >"$f"
	run rl create --network none --rootfs "$ROOTFS" --security-opt "seccomp=$f" true
	one_line_error
	expect_output_has 'unknown field "sycalls"'
	echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": "read", "action": "SCMP_ACT_ALLOW"}]}' >"$f"
	rl_run --network none --security-opt "seccomp=$f" true
	one_line_error
	expect_output_has "syscalls.names: want []string"
	rl_run --network none --security-opt "seccomp=$BATS_TEST_TMPDIR/none.json" true
	one_line_error
	expect_output_has "reading the seccomp profile"
	run rl ps -aq
	expect_status 0
	[[ -z $output ]] || fail "a container was created: $output"
}

@test "rl exec runs under the container's filter" {
	run rl run -d --name confined --network none -v "$SYSPROBE:/sysprobe:ro" --rootfs "$ROOTFS" sleep 1000
	expect_status 0
	run rl exec confined grep -E '^Seccomp(_filters)?:' /proc/self/status
	expect_status 0
	[[ ${lines[0]} =~ ^Seccomp:[[:space:]]+2$ && ${lines[1]} =~ ^Seccomp_filters:[[:space:]]+1$ ]] || fail "exec: $output"
	run rl exec confined /sysprobe keyctl
	expect_status 0
	[[ $output == EPERM ]] || fail "keyctl in exec: $output"
	run rl run -d --name free --network none --security-opt seccomp=unconfined --rootfs "$ROOTFS" sleep 1000
	expect_status 0
	run rl exec free grep '^Seccomp:' /proc/self/status
	expect_status 0
	[[ $output =~ ^Seccomp:[[:space:]]+0$ ]] || fail "exec in an unconfined container: $output"
	rl rm -f confined free
}

@test "rl info names the default profile's source and version" {
	run rl info
	expect_status 0
	expect_output_has "seccomp:"
	[[ $output =~ seccomp:[[:space:]]+default\ profile\ from\ github.com/moby/profiles/seccomp\ v[0-9] ]] || fail "$output"
}

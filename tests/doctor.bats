#!/usr/bin/env bats
# rl doctor: each failure that this machine's setup can be made to have
# (fakes in the test's temp dir: rl doctor reads root-owned files from
# _RL_DOCTOR_SYSROOT where a fake exists) turns its check to fail, with a
# fix; the fix, applied, turns it back to ok.

load helpers
bats_require_minimum_version 1.5.0

# doctor ARGS...: rl doctor --format json under bats' run; what rl-image
# logs (containers/storage's warnings) goes to $stderr.
doctor() {
	run --separate-stderr rl doctor --format json "$@"
}

# check_field ID FIELD: FIELD of check ID in the last doctor's output.
check_field() {
	jq -r --arg id "$1" --arg f "$2" '.[] | select(.id == $id) | .[$f] // ""' <<<"$output"
}

# expect_check ID STATUS: fail unless check ID has STATUS.
expect_check() {
	local got
	got=$(check_field "$1" status)
	[[ $got == "$2" ]] || fail "$1: status $got, want $2: $(jq -c --arg id "$1" '.[] | select(.id == $id)' <<<"$output")"
}

@test "rl doctor passes on the test machine, with every check, and is fast" {
	doctor
	expect_status 0
	jq -e 'all(.[]; .default == false or .status != "fail")' <<<"$output" >/dev/null
	# a fix, and what fails without it, for each check that is not ok, and only for those
	jq -e 'all(.[]; (.status == "ok" or .status == "n/a") == (.fix == null and .breaks == null))' <<<"$output" >/dev/null ||
		fail "fixes: $(jq -c '.[] | select((.status == "ok" or .status == "n/a") != (.fix == null and .breaks == null))' <<<"$output")"
	mapfile -t ids < <(jq -r '.[].id' <<<"$output")
	((${#ids[@]} >= 25))
	run rl doctor
	expect_status 0
	expect_output_has "STATUS  CHECK"
	[[ ${lines[-1]} =~ ^[0-9]+\ ok,\ [0-9]+\ warn,\ 0\ fail,\ [0-9]+\ n/a$ ]] || fail "no summary: ${lines[-1]}"
	# the best of three runs: the machine's other load is not rl's
	local ms best=
	for _ in 1 2 3; do
		start=$(date +%s%N)
		rl doctor >/dev/null
		ms=$((($(date +%s%N) - start) / 1000000))
		if [[ -z $best ]] || ((ms < best)); then best=$ms; fi
	done
	echo "# rl doctor: $best ms (the best of 3)" >&3
	((best < 300)) || fail "rl doctor took $best ms"
	# nothing of the probes is left in the store
	[[ -z $(find "$RL_TEST_ROOT" -maxdepth 1 -name 'doctor-*') ]]
}

@test "doctor: a user without subordinate ids fails ids.subuid and ids.subgid; the usermod fix makes them ok" {
	requires rootless
	: >"$BATS_TEST_TMPDIR/subuid"
	: >"$BATS_TEST_TMPDIR/subgid"
	export RL_SUBUID_FILE=$BATS_TEST_TMPDIR/subuid RL_SUBGID_FILE=$BATS_TEST_TMPDIR/subgid
	doctor
	expect_status 1
	expect_check ids.subuid fail
	expect_check ids.subgid fail
	[[ $(check_field ids.subuid fix) == "usermod --add-subuids "*" --add-subgids "*" $(id -un)"* ]]
	[[ $(check_field ids.subuid root) == true ]]
	# the fix, as usermod would write it (the same ranges newuidmap reads)
	grep "^$(id -un):" /etc/subuid >"$RL_SUBUID_FILE"
	grep "^$(id -un):" /etc/subgid >"$RL_SUBGID_FILE"
	doctor
	expect_status 0
	expect_check ids.subuid ok
	expect_check ids.subgid ok
}

@test "doctor: a newuidmap without its setuid bit fails ids.newuidmap, with the chmod that fixes it" {
	rootless_because "real root writes its maps itself"
	mkdir "$BATS_TEST_TMPDIR/bin"
	cp /usr/bin/newuidmap "$BATS_TEST_TMPDIR/bin/"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH doctor
	expect_status 1
	expect_check ids.newuidmap fail
	expect_check ids.newgidmap ok
	[[ $(check_field ids.newuidmap found) == "$BATS_TEST_TMPDIR/bin/newuidmap is neither setuid root nor has file capabilities" ]]
	[[ $(check_field ids.newuidmap fix) == "chown root:root $BATS_TEST_TMPDIR/bin/newuidmap && chmod 4755 $BATS_TEST_TMPDIR/bin/newuidmap" ]]
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run rl doctor --fix-script
	expect_status 1
	expect_output_has "chmod 4755 $BATS_TEST_TMPDIR/bin/newuidmap"
	# the fix is root's; the setuid newuidmap it makes is the system's
	doctor
	expect_status 0
	expect_check ids.newuidmap ok
	[[ $(check_field ids.newuidmap found) == "/usr/bin/newuidmap is setuid root; wrote the maps of a probe namespace" ]]
}

@test "doctor: a store on a filesystem without user xattrs fails storage.xattr; a store elsewhere is ok" {
	rootless_because "real root's overlay keeps trusted.* xattrs, not user.*"
	[[ -n ${RL_TEST_NOXATTRFS:-} ]] || skip "needs RL_TEST_NOXATTRFS, a ramfs the user can write (tests/run.sh mounts one)"
	RL_TEST_ROOT=$RL_TEST_NOXATTRFS/store-$(id -u) doctor
	rm -rf "$RL_TEST_NOXATTRFS/store-$(id -u)"
	expect_status 1
	expect_check storage.xattr fail
	[[ $(check_field storage.xattr found) == *"(ramfs): operation not supported" ]]
	# overlayfs cannot make an opaque dir there; rl falls back to fuse-overlayfs
	expect_check storage.overlay warn
	[[ $(check_field storage.overlay found) == *"(ramfs) failed: "*"/merged/dir: input/output error" ]]
	[[ $(check_field storage.xattr fix) == "rl --root /var/tmp/$(id -un)-rl ..., or for good: "*"rl.conf"* ]]
	doctor
	expect_status 0
	expect_check storage.xattr ok
	expect_check storage.overlay ok
}

@test "doctor: ping_group_range without the user's group fails network.ping (not a default need); the sysctl fixes it" {
	rootless_because "root may send ICMP echo whatever ping_group_range says"
	export _RL_DOCTOR_SYSROOT=$BATS_TEST_TMPDIR/sys
	mkdir -p "$_RL_DOCTOR_SYSROOT/proc/sys/net/ipv4"
	echo "1 0" >"$_RL_DOCTOR_SYSROOT/proc/sys/net/ipv4/ping_group_range"
	doctor
	expect_status 0
	expect_check network.ping fail
	[[ $(check_field network.ping fix) == 'sysctl -w net.ipv4.ping_group_range="0 2147483647" && '* ]]
	# what the sysctl writes
	echo "0 2147483647" >"$_RL_DOCTOR_SYSROOT/proc/sys/net/ipv4/ping_group_range"
	doctor
	expect_check network.ping ok
}

@test "doctor: a /dev/net/tun the user cannot open fails network.tun; its chmod fixes it" {
	[[ $(id -u) != 0 ]] || skip "root opens /dev/net/tun whatever its mode"
	export _RL_DOCTOR_SYSROOT=$BATS_TEST_TMPDIR/sys
	mkdir -p "$_RL_DOCTOR_SYSROOT/dev/net"
	tun=$_RL_DOCTOR_SYSROOT/dev/net/tun
	touch "$tun"
	chmod 0000 "$tun"
	doctor
	expect_status 1
	expect_check network.tun fail
	[[ $(check_field network.tun found) == "open $tun: permission denied" ]]
	fix=$(check_field network.tun fix)
	[[ $fix == "chmod 0666 $tun && "* ]]
	${fix%% && *}
	doctor
	expect_status 0
	expect_check network.tun ok
}

@test "doctor --fix-script: the root fixes as a script that parses, with the advice as comments" {
	requires rootless
	: >"$BATS_TEST_TMPDIR/subuid"
	export RL_SUBUID_FILE=$BATS_TEST_TMPDIR/subuid _RL_DOCTOR_SYSROOT=$BATS_TEST_TMPDIR/sys
	mkdir -p "$_RL_DOCTOR_SYSROOT/proc/sys/net/ipv4"
	echo "1 0" >"$_RL_DOCTOR_SYSROOT/proc/sys/net/ipv4/ping_group_range"
	run rl doctor --fix-script
	expect_status 1
	[[ ${lines[0]} == "#!/bin/sh" ]]
	expect_output_has "# ids.subuid (fail): no range for $(id -un) in $RL_SUBUID_FILE"
	expect_output_has $'\nusermod --add-subuids '
	expect_output_has $'\nsysctl -w net.ipv4.ping_group_range="0 2147483647"'
	sh -n <<<"$output"
	# only root's fixes
	[[ $output != *"rl --root"* ]]
	run rl doctor --format yaml
	one_line_error
}

@test "doctor: a shell with no_new_privs fails ids.newuidmap: its setuid bit does nothing there" {
	rootless_because "real root writes its maps itself"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	run --separate-stderr setpriv --no-new-privs "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" doctor --format json
	expect_status 1
	expect_check ids.newuidmap fail
	[[ $(check_field ids.newuidmap found) == "this shell runs with no_new_privs (NoNewPrivs: 1 in /proc/self/status): "* ]]
	[[ $(check_field ids.newuidmap manual) == true ]]
	doctor
	expect_check ids.newuidmap ok
}

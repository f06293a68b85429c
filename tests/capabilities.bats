#!/usr/bin/env bats
# Capabilities and privilege flags, as podman has them: the default set,
# --cap-add, --cap-drop, --privileged, a non-root --user, no_new_privs,
# the masked and read-only kernel paths, mask= and unmask=, and rl exec.

load helpers
bats_require_minimum_version 1.5.0

# podman's 11 default capabilities (containers/common DefaultCapabilities).
DEFAULTS=00000000800405fb

teardown() {
	local ids
	ids=$(rl ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086 # one id a word
	if [[ -n $ids ]]; then rl rm -f $ids >/dev/null 2>&1 || true; fi
	if [[ -n ${podman_runroot:-} ]]; then
		# podman's store holds files its user namespace owns.
		"${podman_cmd[@]}" system reset --force >/dev/null 2>&1 || true
		rm -rf "$podman_runroot"
	fi
	# Rootless podman leaves a pause process holding its namespaces.
	if [[ -n ${podman_pause:-} ]]; then kill "$podman_pause" 2>/dev/null || true; fi
	assert_nothing_left
}

# all_caps: the mask of every capability this kernel has, as
# /proc/PID/status shows it: rootless, a user namespace starts with them
# all; real root's containers get no more than its own bounding set, as
# podman's rootful ones.
all_caps() {
	local all=$(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1))
	if [[ $(id -u) == 0 ]]; then
		all=$((all & 0x$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)))
	fi
	printf '%016x' "$all"
}

# caps ARGS...: run `grep Cap /proc/self/status` in a container with ARGS
# and set $CapEff, $CapBnd, $CapPrm, $CapAmb, $NoNewPrivs.
caps() {
	rl_run "$@" grep -E '^(Cap|NoNewPrivs)' /proc/self/status
	expect_status 0
	CapPrm="" CapEff="" CapBnd="" CapAmb="" NoNewPrivs=""
	local k v
	while read -r k v; do
		printf -v "${k%:}" %s "$v"
	done <<<"$output"
}

# masked_in OUTPUT PATH: OUTPUT (a container's /proc/self/mountinfo) has a
# mount on PATH.
masked_in() {
	awk -v p="$2" '$5 == p { found = 1 } END { exit !found }' <<<"$1"
}

@test "root in a default container has podman's default capabilities" {
	caps
	[[ $CapEff == "$DEFAULTS" && $CapPrm == "$DEFAULTS" && $CapBnd == "$DEFAULTS" ]] || fail "$output"
	[[ $CapAmb == 0000000000000000 && $NoNewPrivs == 0 ]] || fail "$output"
}

@test "--cap-drop ALL leaves none; --cap-add NET_ADMIN adds bit 12; --cap-drop ALL --cap-add NET_RAW only bit 13" {
	caps --cap-drop ALL
	[[ $CapEff == 0000000000000000 && $CapBnd == 0000000000000000 ]] || fail "$output"
	caps --cap-add NET_ADMIN
	[[ $CapEff == 00000000800415fb && $CapBnd == 00000000800415fb ]] || fail "$output"
	caps --cap-add net_admin,cap_sys_ptrace --cap-drop CHOWN
	[[ $CapEff == 00000000800c15fa ]] || fail "$output"
	caps --cap-drop ALL --cap-add NET_RAW
	[[ $CapEff == 0000000000002000 && $CapBnd == 0000000000002000 ]] || fail "$output"
}

@test "--cap-add ALL and --privileged give every capability the kernel has; --cap-add ALL --cap-drop NET_RAW all but bit 13" {
	local all
	all=$(all_caps)
	caps --cap-add ALL
	[[ $CapEff == "$all" && $CapBnd == "$all" ]] || fail "want $all: $output"
	caps --privileged
	[[ $CapEff == "$all" && $CapBnd == "$all" && $CapPrm == "$all" ]] || fail "want $all: $output"
	caps --cap-add ALL --cap-drop NET_RAW
	[[ $CapEff == "$(printf '%016x' $((0x$all & ~(1 << 13))))" ]] || fail "$output"
}

@test "a non-root --user has no capabilities, but --cap-add's (as ambient ones) within the bounding set" {
	caps --user 1000
	[[ $CapEff == 0000000000000000 && $CapPrm == 0000000000000000 && $CapBnd == "$DEFAULTS" ]] || fail "$output"
	caps --user 1000 --cap-add NET_ADMIN
	[[ $CapEff == 0000000000001000 && $CapAmb == 0000000000001000 && $CapBnd == 00000000800415fb ]] || fail "$output"
	# With --privileged too: the bounding set is full, the user has none.
	caps --user 1000 --privileged
	[[ $CapEff == 0000000000000000 && $CapBnd == "$(all_caps)" ]] || fail "$output"
	# What it keeps survives the exec of a child.
	rl_run --user alice --cap-add NET_ADMIN sh -c 'sh -c "grep CapEff /proc/self/status"'
	expect_status 0
	expect_output_has 0000000000001000
}

@test "--security-opt no-new-privileges sets NoNewPrivs, inherited by children" {
	caps --security-opt no-new-privileges
	[[ $NoNewPrivs == 1 && $CapEff == "$DEFAULTS" ]] || fail "$output"
	rl_run --security-opt no-new-privileges=true --user alice sh -c 'sh -c "grep NoNewPrivs /proc/self/status"'
	expect_status 0
	[[ $output == "NoNewPrivs:"*1 ]] || fail "$output"
	caps --security-opt no-new-privileges=false
	[[ $NoNewPrivs == 0 ]] || fail "$output"
}

@test "kernel paths are masked by default and visible with unmask=ALL or --privileged" {
	rl_run cat /proc/self/mountinfo
	expect_status 0
	local defaults=$output p checked=0
	for p in /sys/dev/block /proc/kcore /proc/keys /proc/timer_list /sys/firmware /proc/acpi; do
		[[ -e $p ]] || continue # this kernel lacks it (e.g. /proc/kcore without CONFIG_PROC_KCORE)
		checked=$((checked + 1))
		masked_in "$defaults" "$p" || fail "$p is not masked: $defaults"
	done
	((checked >= 3)) || skip "this kernel has fewer than 3 of the masked paths"
	masked_in "$defaults" /proc/sys || fail "/proc/sys is not read-only"
	rl_run sh -c 'echo 1 > /proc/sys/kernel/domainname'
	expect_status 1
	for opt in "--security-opt unmask=ALL" --privileged; do
		# shellcheck disable=SC2086 # two words on purpose
		rl_run $opt cat /proc/self/mountinfo
		expect_status 0
		for p in /sys/dev/block /proc/kcore /proc/keys /sys/firmware /proc/sys; do
			! masked_in "$output" "$p" || fail "$p is still masked with $opt: $output"
		done
	done
	if [[ -n $(ls /sys/dev/block 2>/dev/null) ]]; then
		rl_run ls /sys/dev/block
		expect_status 0
		[[ -z $output ]] || fail "masked /sys/dev/block lists $output"
		rl_run --security-opt unmask=ALL ls /sys/dev/block
		expect_status 0
		[[ -n $output ]] || fail "unmasked /sys/dev/block is empty"
	fi
	# unmask= takes paths and patterns; the rest stay masked.
	rl_run --security-opt unmask=/sys/dev/block:/proc/ti* cat /proc/self/mountinfo
	expect_status 0
	! masked_in "$output" /sys/dev/block || fail "/sys/dev/block is masked: $output"
	if [[ -e /proc/keys ]]; then masked_in "$output" /proc/keys || fail "/proc/keys is not masked: $output"; fi
	if [[ -e /proc/timer_list ]]; then ! masked_in "$output" /proc/timer_list || fail "/proc/timer_list is masked"; fi
}

@test "--security-opt mask= hides a file or directory, also with --privileged" {
	rl_run cat /etc/hostname
	expect_status 0
	[[ -n $output ]] || fail "/etc/hostname is empty without mask="
	rl_run --security-opt mask=/etc/hostname cat /etc/hostname
	expect_status 0
	[[ -z $output ]] || fail "masked /etc/hostname reads $output"
	rl_run --privileged --security-opt mask=/etc/motd:/home sh -c 'cat /etc/motd; ls -A /home; touch /home/x'
	expect_status 1
	[[ ${lines[0]} == *"Read-only file system"* ]] || fail "$output"
	# A path the container lacks is no error.
	rl_run --security-opt mask=/no/such/path true
	expect_status 0
	# The image's symlinks resolve inside its root: one aimed inside masks
	# its target; one aimed at a host path that the root lacks, nothing.
	local root=$BATS_TEST_TMPDIR/root
	cp -a "$ROOTFS" "$root"
	touch "$BATS_TEST_TMPDIR/host-file"
	ln -s "$BATS_TEST_TMPDIR/host-file" "$root/etc/out"
	ln -s motd "$root/etc/in"
	run rl run --rm --rootfs "$root" --security-opt mask=/etc/out:/etc/in sh -c 'cat /etc/motd; echo -; cat /etc/passwd'
	expect_status 0
	[[ ${lines[0]} == - && ${lines[1]} == root:* ]] || fail "$output"
}

@test "--privileged binds the host's devices the user can open, not /dev/tty's consoles or unreadable ones" {
	rl_run ls /dev
	expect_status 0
	local plain=$output dev found="" denied=""
	for dev in /dev/fuse /dev/net/tun /dev/kvm /dev/vda /dev/sda /dev/loop0 /dev/kmsg; do
		[[ -c $dev || -b $dev ]] || continue
		if [[ -r $dev || -w $dev ]]; then found+=" $dev"; else denied+=" $dev"; fi
	done
	[[ -n $found$denied ]] || skip "none of the probed devices exists here"
	# shellcheck disable=SC2016 # $d is the container shell's
	rl_run --privileged sh -c 'for d in '"$found $denied"'; do [ -e $d ] && echo "has $d"; done; ls /dev'
	expect_status 0
	for dev in $found; do expect_output_has "has $dev"; done
	for dev in $denied; do [[ $output != *"has $dev"* ]] || fail "$dev bound though the user cannot open it"; done
	[[ $output != *tty0* && $output != *console* ]] || fail "a console is bound: $output"
	for dev in $found; do [[ $plain != *"${dev#/dev/}"* ]] || fail "$dev is there without --privileged"; done
}

@test "bad capabilities are refused with exit 125, naming them" {
	rl_run --cap-add BOGUS true
	one_line_error
	expect_output_has '"BOGUS"'
	rl_run --cap-drop CAP_NOPE true
	one_line_error
	expect_output_has '"CAP_NOPE"'
	rl_run --cap-add NET_RAW --cap-drop net_raw true
	one_line_error
	expect_output_has "CAP_NET_RAW"
	rl_run --cap-add ALL --cap-drop ALL true
	one_line_error
	rl_run --security-opt nosuch true
	one_line_error
}

@test "rl exec gets the container's capabilities; --privileged all; another user none" {
	run rl run -d --name c --network none --cap-add NET_ADMIN --security-opt no-new-privileges --rootfs "$ROOTFS" sleep 1000
	expect_status 0
	run rl exec c grep -E '^(CapEff|NoNewPrivs)' /proc/self/status
	expect_status 0
	[[ ${lines[0]} == *00000000800415fb && ${lines[1]} == *1 ]] || fail "$output"
	run rl exec --privileged c grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status
	expect_status 0
	[[ ${lines[0]} == *"$(all_caps)" && ${lines[1]} == *"$(all_caps)" && ${lines[2]} == *1 ]] || fail "$output"
	run rl exec -u alice c grep -E '^(CapEff|CapBnd)' /proc/self/status
	expect_status 0
	[[ ${lines[0]} == *0000000000000000 && ${lines[1]} == *00000000800415fb ]] || fail "$output"
	run rl rm -f c
	expect_status 0
	# The container's non-root user keeps its --cap-add's in exec too.
	run rl run -d --name u --user alice --cap-add NET_ADMIN --network none --rootfs "$ROOTFS" sleep 1000
	expect_status 0
	run rl exec u grep -E '^CapEff' /proc/self/status
	expect_status 0
	[[ $output == *0000000000001000 ]] || fail "$output"
	run rl exec -u root u grep -E '^CapEff' /proc/self/status
	expect_status 0
	[[ $output == *00000000800415fb ]] || fail "$output"
	run rl rm -f u
	expect_status 0
}

@test "rl inspect shows the capabilities, no_new_privs, seccomp and the masked paths in podman's fields" {
	run rl create --name c --user alice --cap-add NET_ADMIN --cap-drop CHOWN --security-opt no-new-privileges --security-opt mask=/etc/motd --rootfs "$ROOTFS" true
	expect_status 0
	run rl inspect --format '{{json .EffectiveCaps}} {{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}} {{json .HostConfig.SecurityOpt}} {{.HostConfig.SeccompProfilePath}} {{.HostConfig.Privileged}}' c
	expect_status 0
	[[ $output == '["CAP_NET_ADMIN"] ["CAP_NET_ADMIN"] ["CAP_CHOWN"] ["no-new-privileges"] default false' ]] || fail "$output"
	run rl inspect --format '{{json .BoundingCaps}}' c
	[[ $output == *'"CAP_NET_ADMIN"'* && $output != *CAP_CHOWN* ]] || fail "$output"
	run rl inspect --format '{{json .HostConfig.MaskedPaths}} {{json .HostConfig.ReadonlyPaths}}' c
	expect_output_has '"/sys/dev/block"'
	expect_output_has '"/etc/motd"'
	expect_output_has '"/proc/sys"'
	run rl create --name p --privileged --rootfs "$ROOTFS" true
	expect_status 0
	run rl inspect --format '{{len .EffectiveCaps}} {{json .HostConfig.SecurityOpt}} {{.HostConfig.SeccompProfilePath}} {{json .HostConfig.MaskedPaths}} {{.HostConfig.Privileged}}' p
	local all n=0
	all=$((0x$(all_caps)))
	while ((all)); do n=$((n + (all & 1))) all=$((all >> 1)); done
	[[ $output == "$n"' ["unmask=all"] unconfined [] true' ]] || fail "want $n capabilities: $output"
	run rl rm c p
	expect_status 0
}

# podman_setup: a rootless (or, as root, rootful) podman of our own on
# ROOTFS imported as an image, with the options it needs on this machine
# (tests/bench/run.sh's setup_podman): cgroupfs, file events; sets
# $podman_cmd or skips with the reason.
podman_setup() {
	command -v podman >/dev/null || skip "podman is not installed"
	local w=$BATS_TEST_TMPDIR/podman
	# podman refuses a run root longer than 50 characters.
	podman_runroot=$(mktemp -d /tmp/rlcap.XXXXXX)
	mkdir -p "$w/xdg"
	chmod 0700 "$w/xdg"
	podman_cmd=(env XDG_RUNTIME_DIR="$w/xdg" podman --root "$w/store" --runroot "$podman_runroot"
		--cgroup-manager cgroupfs --events-backend file)
	tar -C "$ROOTFS" -cf "$w/rootfs.tar" .
	if ! "${podman_cmd[@]}" import "$w/rootfs.tar" localhost/rl-caps >"$w/out" 2>&1; then
		skip "podman cannot import an image here: $(tail -1 "$w/out")"
	fi
	if ! "${podman_cmd[@]}" run --rm --network none localhost/rl-caps true >"$w/out" 2>&1; then
		skip "podman cannot run a container here: $(tail -1 "$w/out")"
	fi
	podman_pause=$(cat "$w/xdg/libpod/tmp/pause.pid" 2>/dev/null || true)
}

@test "side by side with podman on the same root filesystem: the same capability sets" {
	podman_setup
	local flags
	for flags in "" "--cap-drop ALL" "--cap-add NET_ADMIN" "--cap-add ALL --cap-drop NET_RAW" "--privileged" \
		"--user 1000" "--user 1000 --cap-add NET_ADMIN" "--security-opt no-new-privileges"; do
		# shellcheck disable=SC2086 # flags are words
		run "${podman_cmd[@]}" run --rm --network none $flags localhost/rl-caps grep -E '^(Cap|NoNewPrivs)' /proc/self/status
		expect_status 0
		local want=$output
		# shellcheck disable=SC2086
		rl_run --network none $flags grep -E '^(Cap|NoNewPrivs)' /proc/self/status
		expect_status 0
		[[ $output == "$want" ]] || fail "rl $flags:"$'\n'"$output"$'\n'"podman:"$'\n'"$want"
	done
}

#!/usr/bin/env bats
# Shell completion: rl completion bash|zsh|fish, and the candidates that
# cobra's __complete (which those scripts call) gives from the store.

load helpers
bats_require_minimum_version 1.5.0

teardown() {
	rl pod rm -t 0 --all --force --ignore >/dev/null 2>&1 || true
	rl rm -t 0 --all --force --ignore >/dev/null 2>&1 || true
	rl volume rm -f -a >/dev/null 2>&1 || true
	assert_nothing_left
}

# complete ARGS...: the candidates of `rl ARGS...` (the last is the word
# being completed) on the test's store, one a line, under bats' run; the
# directive is in $directive.
complete() {
	run --separate-stderr "$RL_BIN" __complete --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" "$@"
	expect_status 0
	directive=${lines[-1]}
	output=$(printf '%s\n' "${lines[@]:0:${#lines[@]}-1}" | sort)
}

@test "completion knows the containers: running ones for stop, exec and kill; all for rm, logs and inspect; stopped ones for start" {
	rl create --name idle --network none --rootfs "$ROOTFS" true >/dev/null
	detach --name busy sleep 100
	complete stop ''
	[[ $output == busy ]] || fail "stop: $output"
	[[ $directive == :4 ]] # no file names
	for verb in exec kill "container stop"; do
		# shellcheck disable=SC2086 # the group and its verb are two words
		complete $verb ''
		[[ $output == busy ]] || fail "$verb: $output"
	done
	for verb in rm logs inspect "container rm"; do
		# shellcheck disable=SC2086
		complete $verb ''
		[[ $output == $'busy\nidle' ]] || fail "$verb: $output"
	done
	complete start ''
	[[ $output == idle ]]
	complete rm b
	[[ $output == busy ]]
	# a name already on the line is not offered again; exec takes one container
	complete rm idle ''
	[[ $output == busy ]]
	complete exec busy ''
	[[ -z $output ]]
	rl rm -f -t 0 busy idle >/dev/null
}

@test "completion knows --network modes, signals, ps --filter keys and --format fields" {
	rl create --name other --network none --rootfs "$ROOTFS" true >/dev/null
	complete run --network ''
	[[ $output == $'container:\nhost\nnone\npasta\npodman\nslirp4netns' ]] || fail "$output"
	[[ $directive == :6 ]] || fail "container: wants no space after it: $directive" # no files | no space
	complete run --network container:
	[[ $output == container:other ]]
	# User-defined networks: --network and the network commands' arguments.
	rl network create cnet >/dev/null
	complete run --network ''
	grep -qx cnet <<<"$output" || fail "$output"
	complete network rm ''
	[[ $output == $'cnet\npodman' ]] || fail "$output"
	rl network rm cnet >/dev/null
	complete kill -s SIGK
	[[ $output == SIGKILL ]]
	complete kill --signal HU
	[[ $output == HUP ]]
	complete run --stop-signal USR
	[[ $output == $'USR1\nUSR2' ]]
	complete ps --filter ''
	[[ $output == $'ancestor=\nexited=\nhealth=\nid=\nlabel=\nname=\npod=\nstatus=' ]] || fail "$output"
	complete ps --filter status=r
	[[ $output == $'status=restarting\nstatus=running' ]]
	complete ps --format '{{.N'
	[[ $output == '{{.Names}}' ]]
	complete ps --format ''
	expect_output_has json
	expect_output_has '{{.Status}}'
	rl rm other >/dev/null
}

@test "completion knows pods, volumes and images" {
	rl pod create --name pw >/dev/null
	rl volume create vol1 >/dev/null
	complete pod rm ''
	[[ $output == pw ]]
	complete run --pod ''
	[[ $output == pw ]]
	complete volume inspect ''
	[[ $output == vol1 ]]
	tar -C "$ROOTFS" -czf "$BATS_TEST_TMPDIR/rootfs.tgz" .
	rl import -q "$BATS_TEST_TMPDIR/rootfs.tgz" localhost/comp:1 >/dev/null
	complete rmi ''
	[[ $output == localhost/comp:1 ]]
	complete run ''
	[[ $output == localhost/comp:1 ]]
	# with --rootfs the first argument is the command: files, as the shell does
	complete run --rootfs "$ROOTFS" ''
	[[ -z $output && $directive == :0 ]]
	complete inspect ''
	[[ $output == $'localhost/comp:1\npw\n'* ]] || fail "$output" # and the pod's infra container
	rl rmi localhost/comp:1 >/dev/null
}

@test "a completion reads the store only: fast with 100 containers" {
	for i in $(seq 100); do
		rl create --name "c$i" --network none --rootfs "$ROOTFS" true >/dev/null
	done
	complete rm ''
	[[ $(wc -l <<<"$output") == 100 ]]
	times=()
	for _ in 1 2 3 4 5 6 7; do
		start=$(date +%s%N)
		"$RL_BIN" __complete --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" rm '' >/dev/null
		times+=($((($(date +%s%N) - start) / 1000)))
	done
	median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 4p)
	echo "# rl __complete rm '' with 100 containers: median $((median / 1000)).$((median % 1000 / 100)) ms" >&3
	((median < 40000)) || fail "median ${median} µs"
}

@test "rl completion bash|zsh|fish prints the shell's script" {
	run rl completion bash
	expect_status 0
	expect_output_has "__start_rl"
	bash -n <<<"$output"
	run rl completion zsh
	expect_output_has "#compdef rl"
	run rl completion fish
	expect_output_has "complete -c rl"
}

@test "--format completes the fields of each listing's rows" {
	complete images --format '{{.Rep'
	[[ $output == '{{.Repository}}' ]]
	complete image ls --format '{{.Ta'
	[[ $output == '{{.Tag}}' ]]
	complete pod ps --format '{{.NumberOf'
	[[ $output == '{{.NumberOfContainers}}' ]]
	complete volume ls --format '{{.Mount'
	[[ $output == '{{.Mountpoint}}' ]]
	complete doctor --format ''
	[[ $output == json ]]
}

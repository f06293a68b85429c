#!/usr/bin/env bats
# containers.conf: podman's files give rl run and rl create their defaults;
# flags win; a malformed file is refused with one line naming file:line.

load helpers

setup() {
	export RL_TEST_ROOT="$BATS_TEST_TMPDIR/store"
	export RL_TEST_RUNROOT="$BATS_TEST_TMPDIR/run"
	# The user's own file, isolated from the account's.
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
	mkdir -p "$XDG_CONFIG_HOME/containers"
	unset CONTAINERS_CONF CONTAINERS_CONF_OVERRIDE
}

# conf FILE TEXT: write a containers.conf.
conf() {
	mkdir -p "$(dirname "$1")"
	printf '%s\n' "$2" >"$1"
}

# user_conf TEXT: the user's containers.conf. Root reads none in its home
# (podman's rule): there the file is CONTAINERS_CONF instead.
user_conf() {
	conf "$XDG_CONFIG_HOME/containers/containers.conf" "$1"
	if ((EUID == 0)); then
		export CONTAINERS_CONF=$XDG_CONFIG_HOME/containers/containers.conf
	fi
}

@test "env: the user's file, its drop-ins, CONTAINERS_CONF instead, CONTAINERS_CONF_OVERRIDE last" {
	local user=$XDG_CONFIG_HOME/containers/containers.conf
	conf "$user" $'[containers]\nenv = ["A=user", "B=user"]\n[engine.volume_plugins]\nx = "unused keys are accepted"'
	rl_run sh -c 'echo $A $B'
	expect_status 0
	if ((EUID == 0)); then
		# As podman's, root's rl reads no containers.conf in its home.
		[[ $output == "" ]] || fail "root read the home's containers.conf: $output"
	else
		[[ $output == "user user" ]]
		conf "$user.d/10-b.conf" $'[containers]\nenv = ["B=dropin"]'
		rl_run sh -c 'echo $A-$B'
		[[ $output == "-dropin" ]] || fail "a later file's env replaces the list: $output"
	fi
	conf "$BATS_TEST_TMPDIR/only.conf" $'[containers]\nenv = ["A=only"]'
	CONTAINERS_CONF=$BATS_TEST_TMPDIR/only.conf rl_run sh -c 'echo $A-$B'
	[[ $output == "only-" ]] || fail "CONTAINERS_CONF replaces the other files: $output"
	conf "$BATS_TEST_TMPDIR/override.conf" $'[containers]\nenv = ["B=override"]'
	CONTAINERS_CONF=$BATS_TEST_TMPDIR/only.conf CONTAINERS_CONF_OVERRIDE=$BATS_TEST_TMPDIR/override.conf rl_run sh -c 'echo $A-$B'
	[[ $output == "-override" ]] || fail "CONTAINERS_CONF_OVERRIDE comes last: $output"
}

@test "flags win over containers.conf: --env, --read-only=false" {
	user_conf $'[containers]\nenv = ["A=conf"]\nread_only = true'
	rl_run sh -c 'echo $A; touch /x'
	expect_status 1
	[[ ${lines[0]} == conf && $output == *"Read-only file system"* ]]
	rl_run --env A=flag --read-only=false sh -c 'echo $A; touch /x && echo wrote'
	expect_status 0
	[[ $output == $'flag\nwrote' ]]
}

@test "engine.cgroup_manager shows in rl info; the global --cgroup-manager wins" {
	user_conf $'[engine]\nruntime = "runc"\ncgroup_manager = "systemd"\nevents_logger = "file"'
	run rl info --format '{{.Host.CgroupManager}}'
	expect_status 0
	[[ $output == systemd ]]
	run rl --cgroup-manager cgroupfs info --format '{{.Host.CgroupManager}}'
	[[ $output == cgroupfs ]]
}

@test "a malformed containers.conf: one line naming file:line, exit 125, nothing created" {
	local f=$BATS_TEST_TMPDIR/bad.conf
	local -A cases=(
		["[containers]
pids_limit = \"many\""]="$f:2: containers.pids_limit: incompatible types"
		["[containers]
env = [\"A=1\""]="$f:2: "
		["# comment

[containers]
log_driver = \"syslog\""]="$f:4: containers.log_driver: invalid value \"syslog\""
		["[containers]
default_ulimits = [\"nofile=abc\"]"]="$f:2: containers.default_ulimits: invalid ulimit \"nofile=abc\""
		["[containers]
userns = \"sideways\""]="$f:2: containers.userns: "
		["[engine]
cgroup_manager = \"none\""]="$f:2: engine.cgroup_manager: invalid value"
	)
	local text
	for text in "${!cases[@]}"; do
		printf '%s\n' "$text" >"$f"
		CONTAINERS_CONF=$f run rl run --name made --rootfs "$ROOTFS" true
		one_line_error
		expect_output_has "rl: reading containers.conf: ${cases[$text]}"
		CONTAINERS_CONF=$f run rl create --name made --rootfs "$ROOTFS" true
		one_line_error
		run rl ps -a --format '{{.Names}}'
		[[ $output == "" ]] || fail "a container was made: $output"
	done
	CONTAINERS_CONF=$BATS_TEST_TMPDIR/missing.conf run rl run --rm --rootfs "$ROOTFS" true
	one_line_error
	expect_output_has "missing.conf"
}

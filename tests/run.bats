#!/usr/bin/env bats
# rl run: the basics a user sees, and exit codes.

load helpers
bats_require_minimum_version 1.5.0

@test "a container runs as root, is PID 1 and gets the short id as hostname" {
	rl_run sh -c 'id; hostname; echo $$; ls /'
	expect_status 0
	[[ ${lines[0]} == "uid=0(root) gid=0(root)"* ]]
	[[ ${lines[1]} =~ ^[0-9a-f]{12}$ ]]
	[[ ${lines[2]} == 1 ]]
	expect_output_has "proc"
	expect_output_has "sys"
}

@test "--hostname and --name" {
	rl_run --name web --hostname box sh -c 'hostname; echo $HOSTNAME'
	expect_status 0
	[[ ${lines[0]} == box && ${lines[1]} == box ]]
}

@test "exit codes are the command's own" {
	for code in 0 1 7 255; do
		rl_run sh -c "exit $code"
		expect_status "$code"
	done
}

@test "a command killed by a signal exits 128+N" {
	rl_run --init sh -c 'kill -KILL $$'
	expect_status 137
	rl_run --init sh -c 'kill -TERM $$'
	expect_status 143
	# Without --init the shell is PID 1, which the kernel shields from its
	# own signals; a child killed by a signal shows in the shell's status.
	rl_run sh -c 'sh -c "kill -KILL \$\$"; exit $?'
	expect_status 137
}

@test "a command that is not found exits 127, one that cannot be executed 126" {
	run -127 rl run --rm --rootfs "$ROOTFS" nosuchcommand
	expect_output_has "executable file \`nosuchcommand\` not found in \$PATH: no such file or directory"
	rl_run /etc/passwd
	expect_status 126
	expect_output_has "permission denied"
	rl_run /etc
	expect_status 126
	run -127 rl run --rm --rootfs "$ROOTFS" /no/such/file
}

@test "-e, --env-file and the default environment" {
	printf '# comment\nFROMFILE=file\nOVERRIDE=file\n\nPASSED\n' >"$BATS_TEST_TMPDIR/env"
	PASSED=from-host rl_run --env-file "$BATS_TEST_TMPDIR/env" -e OVERRIDE=flag -e EMPTY= sh -c 'env | sort'
	expect_status 0
	expect_output_has "FROMFILE=file"
	expect_output_has "OVERRIDE=flag"
	expect_output_has "PASSED=from-host"
	expect_output_has "EMPTY="
	expect_output_has "HOME=/root"
	expect_output_has "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	[[ $output != *"RL_TEST_ROOT"* ]] # nothing of rl's own environment leaks in
}

@test "-w sets the working directory, which must exist (as podman)" {
	rl_run -w /home/alice sh -c 'pwd'
	expect_status 0
	[[ $output == /home/alice ]]
	run -126 rl run --rm --rootfs "$ROOTFS" -w /new/dir pwd
	expect_output_has 'workdir "/new/dir" does not exist on container'
}

@test "--entrypoint runs a program with the command as its arguments" {
	rl_run --entrypoint /bin/echo hello world
	expect_status 0
	[[ $output == "hello world" ]]
}

@test "-u by name, by number, with a group; supplementary groups from /etc/group" {
	rl_run -u alice id
	expect_status 0
	[[ $output == "uid=1000(alice) gid=1000(alice) groups=10(wheel)"* ]]
	rl_run -u 1234:10 sh -c 'id -u; id -g; echo $HOME'
	expect_status 0
	[[ ${lines[0]} == 1234 && ${lines[1]} == 10 && ${lines[2]} == / ]]
	rl_run -u alice:root id -g
	expect_status 0
	[[ $output == 0 ]]
}

@test "a non-root user has no capabilities, root has the default set" {
	rl_run -u alice sh -c 'grep CapEff /proc/self/status'
	expect_status 0
	[[ $output == *"0000000000000000" ]]
	rl_run sh -c 'grep CapBnd /proc/self/status'
	expect_status 0
	# podman's default set: chown dac_override fowner fsetid kill setgid
	# setuid setpcap net_bind_service sys_chroot setfcap
	[[ $output == *"00000000800405fb" ]]
}

@test "--init runs the command under a reaping init" {
	rl_run --init sh -c 'echo $$; cat /proc/1/comm'
	expect_status 0
	[[ ${lines[0]} != 1 ]]
	[[ ${lines[1]} == rl-init ]]
}

@test "stdin reaches the container only with -i" {
	run bash -c 'echo piped | "$0" --root "$1" --runroot "$2" run --rm --rootfs "$3" -i cat' "$RL_BIN" "$RL_TEST_ROOT" "$RL_TEST_RUNROOT" "$ROOTFS"
	expect_status 0
	[[ $output == piped ]]
	run bash -c 'echo piped | "$0" --root "$1" --runroot "$2" run --rm --rootfs "$3" cat' "$RL_BIN" "$RL_TEST_ROOT" "$RL_TEST_RUNROOT" "$ROOTFS"
	expect_status 0
	[[ $output == "" ]]
}

@test "without --rm the container's state stays, with --rm it is removed" {
	run rl run --rootfs "$ROOTFS" --name keep true
	expect_status 0
	state=$(cat "$RL_TEST_ROOT"/containers/*/state.json)
	[[ $state == *'"status": "exited"'* && $state == *'"name": "keep"'* ]]
	# The name stays taken while the container exists.
	run rl run --rootfs "$ROOTFS" --name keep true
	one_line_error
	expect_output_has 'the container name "keep" is already in use'
	rm -rf "$RL_TEST_ROOT" "$RL_TEST_RUNROOT"
}

@test "rl version and help list what they should" {
	run rl version
	expect_status 0
	[[ ${lines[0]} == "rl version "* ]]
	run rl --help
	expect_status 0
	expect_output_has "run"
	run rl run --help
	expect_status 0
	for flag in --rootfs --rm --env --env-file --workdir --user --hostname --name --entrypoint \
		--volume --tmpfs --read-only --interactive --tty --init --userns --network --preserve-fds; do
		expect_output_has "$flag"
	done
}

@test "relative --root and --runroot are taken from the working directory" {
	cd "$BATS_TEST_TMPDIR"
	run "$RL_BIN" --root rel-root --runroot rel-run run --rm --rootfs "$ROOTFS" sh -c 'echo ok'
	expect_status 0
	[[ $output == ok ]]
	[[ -d $BATS_TEST_TMPDIR/rel-run/containers ]]
}

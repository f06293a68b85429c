#!/usr/bin/env bats
# -t: a real pty allocated in the container's own devpts.

load helpers

@test "-t gives the container a terminal of its own, /dev/pts/0" {
	# script(1) gives rl a terminal for stdin and stdout.
	run script -qec "$RL_BIN --root $RL_TEST_ROOT --runroot $RL_TEST_RUNROOT run --rm -it --rootfs $ROOTFS sh -c 'tty; test -t 0 && echo stdin-tty; echo \$TERM; ls /dev/pts'" /dev/null </dev/null
	expect_status 0
	expect_output_has "/dev/pts/0"
	expect_output_has "stdin-tty"
	expect_output_has "xterm"
}

@test "-t without a terminal on rl's side still works, and the exit code comes through" {
	rl_run -t sh -c 'tty; exit 3'
	expect_status 3
	expect_output_has "/dev/pts/0"
}

@test "-it is usable interactively and the window size follows the terminal" {
	sock="$BATS_TEST_TMPDIR/tmux.sock"
	out="$BATS_TEST_TMPDIR/out"
	tmux -S "$sock" new-session -d -x 100 -y 30 \
		"$RL_BIN --root $RL_TEST_ROOT --runroot $RL_TEST_RUNROOT run --rm -it --rootfs $ROOTFS sh; echo rl-exit=\$? > $out; sleep 1000"
	# wait_screen TEXT: poll the pane (bounded) until TEXT shows.
	wait_screen() {
		for _ in $(seq 200); do
			tmux -S "$sock" capture-pane -p | grep -q "$1" && return 0
			sleep 0.05
		done
		tmux -S "$sock" capture-pane -p
		return 1
	}
	wait_screen "#"
	tmux -S "$sock" send-keys 'stty size; echo typed-$((6*7))' Enter
	wait_screen "typed-42"
	wait_screen "30 100"
	# A resize reaches rl as SIGWINCH; rl copies the size to the pty.
	tmux -S "$sock" resize-window -x 90 -y 25
	for _ in $(seq 50); do
		tmux -S "$sock" send-keys 'stty size' Enter
		tmux -S "$sock" capture-pane -p | grep -q "25 90" && break
		sleep 0.1
	done
	wait_screen "25 90"
	tmux -S "$sock" send-keys 'exit 5' Enter
	for _ in $(seq 200); do [[ -s $out ]] && break; sleep 0.05; done
	tmux -S "$sock" kill-server
	[[ $(cat "$out") == "rl-exit=5" ]]
}

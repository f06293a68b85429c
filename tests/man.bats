#!/usr/bin/env bats
# The man pages that `make man` writes from rl's command tree (bin/man):
# rl(1) and one page per command, each naming its flags.

load helpers

# needs_man: skip unless the pages are beside rl, setting $man_dir.
needs_man() {
	man_dir=$(dirname "$RL_BIN")/man
	[[ -d $man_dir ]] || skip "no man pages in $man_dir: make man writes them (make integration runs it)"
}

@test "every command rl --help lists has its page, and the page names the command's flags" {
	needs_man
	[[ -f $man_dir/rl.1 ]]
	mapfile -t verbs < <(rl --help | awk '/^Available Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
	((${#verbs[@]} > 30)) || fail "too few commands: ${verbs[*]}"
	for verb in "${verbs[@]}"; do
		[[ $verb == help ]] && continue
		[[ -f $man_dir/rl-$verb.1 ]] || fail "no rl-$verb.1"
		grep -qF "rl-$verb(1)" "$man_dir/rl.1" || fail "rl.1 does not name rl-$verb"
	done
	run_page=$(sed 's/\\-/-/g' "$man_dir/rl-run.1") # roff may escape a dash
	for flag in rootfs network userns publish volume; do
		grep -qF -- "--$flag" <<<"$run_page" || fail "rl-run.1 lacks --$flag"
	done
	[[ -f $man_dir/rl-pod-create.1 && -f $man_dir/rl-container-stop.1 && -f $man_dir/rl-doctor.1 ]]
}

@test "a page renders" {
	needs_man
	command -v groff >/dev/null || skip "groff is not installed"
	run groff -man -Tascii -P-bcou "$man_dir/rl-doctor.1"
	expect_status 0
	expect_output_has "rl doctor [flags]"
	expect_output_has "fix-script"
}

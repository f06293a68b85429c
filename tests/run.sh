#!/usr/bin/env bash
# run.sh: run rl's bats suites against bin/rl and bin/rl-init.
#
# As root: runs setup.sh, stages the binaries and suites in a world-readable
# temporary directory (the checkout may sit where the test user cannot
# enter), runs every suite as the unprivileged test user, then again as
# root. As any other user: runs the suites as that user.
# Arguments, if any, are the .bats files to run (default: all).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
user=${RL_TEST_USER:-rltest}

suites=("$@")
((${#suites[@]})) || mapfile -t suites < <(cd "$here" && ls ./*.bats)

run_bats() { # run_bats DIR [COMMAND-PREFIX...]
	local dir=$1
	shift
	local names=()
	for s in "${suites[@]}"; do names+=("$dir/tests/$(basename "$s")"); done
	"$@" env RL_BIN="$dir/bin/rl" PATH="$PATH" HOME="$(eval echo "~${user_for_run}")" \
		bats --print-output-on-failure "${names[@]}"
}

if [[ $(id -u) != 0 ]]; then
	user_for_run=$(id -un)
	stage=$top
	run_bats "$stage"
	exit
fi

"$here/setup.sh"
stage=$(mktemp -d /tmp/rl-test.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/tests"
cp "$top/bin/rl" "$top/bin/rl-init" "$stage/bin/"
cp -r "$here/." "$stage/tests/"
chmod -R a+rX "$stage"

status=0
echo "# bats suites as the unprivileged user $user"
user_for_run=$user
run_bats "$stage" runuser -u "$user" -- || status=1
echo "# bats suites as root (no subordinate ids: container root is real root)"
user_for_run=root
run_bats "$stage" || status=1
exit $status

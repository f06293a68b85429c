#!/usr/bin/env bash
# run.sh: run rl's bats suites against bin/rl and bin/rl-init.
#
# As root: runs setup.sh, stages the binaries and suites in a world-readable
# temporary directory (the checkout may sit where the test user cannot
# enter), runs every suite as the unprivileged test user, then again as
# root. As any other user: runs the suites as that user (which needs
# subordinate ids; `sudo tests/setup.sh` prepares a machine).
# RL_TEST_AS_ROOT=0 leaves out the root pass (for a quick run while another
# runs as root; CI runs both).
# Arguments, if any, are the .bats files to run (default: all). The last
# line is a count: "bats: N passed, N failed, N skipped".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
user=${RL_TEST_USER:-rltest}

suites=()
if (($# == 0)); then set -- "$here"/*.bats; fi
for s in "$@"; do suites+=("$(basename "$s")"); done

log=$(mktemp)
stage=""
small=""
noxattr=""
trap 'if [[ -n $small ]]; then umount "$small"; fi; if [[ -n $noxattr ]]; then umount "$noxattr"; fi; rm -rf "$log" ${stage:+"$stage"}' EXIT

# run_bats DIR [PREFIX...]: run the suites staged in DIR, from DIR, with
# PREFIX (e.g. runuser) in front, appending the TAP output to the log. A
# run that fails without reporting a failed test (bats could not start)
# counts as one failure.
run_bats() {
	local dir=$1
	shift
	local files=()
	for s in "${suites[@]}"; do files+=("$dir/tests/$s"); done
	local before
	before=$(grep -c '^not ok' "$log" || true)
	# pipefail: the pipeline fails when bats does.
	if (cd "$dir" && "$@" env RL_BIN="$dir/bin/rl" bats --print-output-on-failure "${files[@]}") | tee -a "$log"; then
		return 0
	fi
	if [[ $(grep -c '^not ok' "$log" || true) == "$before" ]]; then
		echo "not ok 0 bats did not run: $*" | tee -a "$log"
	fi
	return 1
}

status=0
if [[ $(id -u) != 0 ]]; then
	run_bats "$top" || status=1
else
	"$here/setup.sh"
	stage=$(mktemp -d /tmp/rl-test.XXXXXX)
	mkdir -p "$stage/bin" "$stage/tests"
	cp "$top/bin/rl" "$top/bin/rl-init" "$top/bin/rl-image" "$top/bin/rl-kube" "$stage/bin/"
	# the man pages, for tests/man.bats (make man writes them)
	if [[ -d $top/bin/man ]]; then cp -r "$top/bin/man" "$stage/bin/"; fi
	cp -r "$here/." "$stage/tests/"
	chmod -R a+rX "$stage"
	# A tiny filesystem for the disk-full tests, which a user cannot mount.
	small=$stage/small
	mkdir "$small"
	mount -t tmpfs -o size=1m,mode=1777 rl-test-small "$small"
	export RL_TEST_SMALLFS=$small
	# A filesystem without user.* xattrs (ramfs; tmpfs has them from
	# Linux 6.6) for rl doctor's storage checks.
	noxattr=$stage/noxattr
	mkdir "$noxattr"
	mount -t ramfs -o mode=1777 rl-test-noxattr "$noxattr"
	export RL_TEST_NOXATTRFS=$noxattr
	# A root filesystem that root made (its files are foreign to the
	# user's containers), with a directory the user may not enter.
	"$here/mkrootfs.sh" "$stage/foreign-rootfs"
	mkdir "$stage/foreign-rootfs/root/sub"
	export RL_TEST_FOREIGN_ROOTFS=$stage/foreign-rootfs
	echo "# bats suites as the unprivileged user $user"
	# runuser opens no login session, so there is no XDG_RUNTIME_DIR;
	# give the user one, as a session would (without it, containers/image
	# tools look for credentials under /run/containers/UID, which a
	# rootful podman may have made unreadable).
	runtime_dir=$stage/runtime
	install -d -m 0700 -o "$user" "$runtime_dir"
	run_bats "$stage" runuser -u "$user" -- env XDG_RUNTIME_DIR="$runtime_dir" || status=1
	# The holder of the user's shared user namespace outlives the suites,
	# as it outlives a session's containers: end it with its runtime dir,
	# as a logout would.
	if read -r holder _ 2>/dev/null <"$runtime_dir/rl/userns.pid" && [[ $(cat "/proc/$holder/comm" 2>/dev/null) == rl-userns ]]; then
		kill "$holder"
	fi
	if [[ ${RL_TEST_AS_ROOT:-1} == 1 ]]; then
		echo "# bats suites as root (no subordinate ids: container root is real root)"
		run_bats "$stage" || status=1
	fi
fi

passed=$(grep -Ec '^ok [0-9]+ ' "$log" || true)
skipped=$(grep -Ec '^ok [0-9]+ .* # skip' "$log" || true)
failed=$(grep -Ec '^not ok [0-9]+ ' "$log" || true)
echo "bats: $((passed - skipped)) passed, $failed failed, $skipped skipped"
exit $status

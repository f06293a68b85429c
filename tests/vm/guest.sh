#!/usr/bin/env bash
# guest.sh: the guest's half of tests/vm/run.sh. The guest image's runner
# (rl-vm-runner.service, made by build.sh) mounts the host's share at
# /mnt/host once tester's user manager is up, runs this as root from there,
# and powers the VM off when it returns.
#
# As root: writes out/ready (what the guest is: kernel, systemd, cgroup
# filesystem, when the user manager came up), then starts the suites as
# tester in a login session (runuser -l: PAM, pam_systemd, a logind session
# with XDG_RUNTIME_DIR and the user bus, as an ssh login has), with their
# TAP output going to out/tap; then out/rc, last, by a rename.
#
# Suites named undelegated*.bats run after the others, in a second login,
# once root has removed the image's delegate.conf drop-in and restarted
# tester's user manager: they see the controllers Debian delegates by
# default. Both runs' TAP output goes to out/tap.
#
# With "suites FILE...", as tester: copies the staged tree (rl/) to the
# guest's own disk and runs bats on the suites named.
set -u
share=/mnt/host
out=$share/out
user=tester

# put NAME: move out/.NAME.tmp to out/NAME, so the host never reads half of it.
put() { mv "$out/.$1.tmp" "$out/$1"; }

if [[ ${1:-} == suites ]]; then
	# pam_systemd sets both for a session of a user whose manager runs;
	# say so when it did not, rather than failing obscurely later.
	if [[ -z ${XDG_RUNTIME_DIR:-} || -z ${DBUS_SESSION_BUS_ADDRESS:-} ]]; then
		echo "# guest.sh: the login session lacks XDG_RUNTIME_DIR or DBUS_SESSION_BUS_ADDRESS; setting them"
		export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}
		export DBUS_SESSION_BUS_ADDRESS=${DBUS_SESSION_BUS_ADDRESS:-unix:path=$XDG_RUNTIME_DIR/bus}
	fi
	# A local copy: the containers' files, overlay upper directories and
	# stores all live on the guest's ext4, none on 9p.
	dir=$HOME/rl
	rm -rf "$dir"
	t0=$(date +%s%N)
	cp -r "$share/rl" "$dir" || exit 1
	echo "# guest.sh: copied the staged tree in $((($(date +%s%N) - t0) / 1000000)) ms"
	shift
	files=()
	for s in "$@"; do
		files+=("$dir/tests/vm/$s")
	done
	args=(--tap --timing --print-output-on-failure)
	if [[ -s $share/filter ]]; then
		args+=(--filter "$(<"$share/filter")")
	fi
	cd "$dir" || exit 1
	exec env RL_BIN="$dir/bin/rl" bats "${args[@]}" "${files[@]}"
fi

uid=$(id -u "$user")
mkdir -p "$out"
: >"$out/tap"
{
	echo "kernel=$(uname -r)"
	echo "systemd=$(systemctl --version | awk 'NR == 1 { print $2 }')"
	echo "cgroupfs=$(stat -fc %T /sys/fs/cgroup)"
	echo "user_manager=$(systemctl is-active "user@$uid.service")"
	# Microseconds after the kernel started, as systemd counts them.
	echo "user_manager_up_us=$(systemctl show -P ActiveEnterTimestampMonotonic "user@$uid.service")"
	echo "ready_uptime_s=$(cut -d' ' -f1 /proc/uptime)"
} >"$out/.ready.tmp"
put ready

# run_suites FILE...: one login session of tester running the suites.
run_suites() {
	runuser -l "$user" -c "exec $share/guest.sh suites $*" >>"$out/tap" 2>&1 </dev/null
}

delegated=()
undelegated=()
while read -r s; do
	if [[ $s == undelegated* ]]; then undelegated+=("$s"); else delegated+=("$s"); fi
done <"$share/suites"
t0=$(date +%s%N)
rc=0
if ((${#delegated[@]})); then
	run_suites "${delegated[@]}" || rc=$?
fi
if ((${#undelegated[@]})); then
	rm -f /etc/systemd/system/user@.service.d/delegate.conf
	systemctl daemon-reload
	# A restart waits for the new manager to be up.
	systemctl restart "user@$uid.service"
	run_suites "${undelegated[@]}" || rc=$?
fi
echo $((($(date +%s%N) - t0) / 1000000)) >"$out/.suites-ms.tmp"
put suites-ms
# The journal explains a failure that the TAP output does not.
if [[ $rc != 0 || -e $share/journal ]]; then
	{
		timeout 20 systemd-analyze critical-chain "user@$uid.service"
		timeout 30 journalctl -b --no-pager -o short-monotonic
	} >"$out/journal.txt" 2>&1
fi
echo "$rc" >"$out/.rc.tmp"
put rc

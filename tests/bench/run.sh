#!/usr/bin/env bash
# bench/run.sh: how long rl takes to start a container, run /bin/true and
# tear it down, next to its peers on the same machine and the same busybox
# root filesystem:
#
#   rl      rl run --rm --network none --rootfs ROOT /bin/true
#   bwrap   bwrap with the same seven namespaces, ROOT bound on /
#   runc    runc run of a `runc spec --rootless` bundle on ROOT (plus net and
#           cgroup namespaces, so that it makes the same seven)
#   podman  podman run --rm --network none of ROOT imported as an image, in
#           storage of its own
#
# It prints the median wall time of RL_BENCH_RUNS (50) runs of each, the
# ratios of rl to each peer against the targets (rl <= 1.5x bwrap, rl <=
# 0.1x podman; informational: a MISS does not fail the script) and rl's peak
# resident memory. The runs are interleaved round-robin after
# RL_BENCH_WARMUP (3) untimed rounds, so that load that comes and goes on
# the machine falls on every tool alike rather than on whichever was being
# timed at the moment.
#
# Exit status: 0 when rl and every installed peer ran; 1 when one of them
# failed. A peer that is not installed is reported as unavailable and
# skipped.
#
# As root: runs tests/setup.sh, stages bin/rl, bin/rl-init, mkrootfs.sh and this
# directory in a world-readable temporary directory (the checkout may sit
# where the test user cannot enter) and runs itself there as the
# unprivileged test user RL_TEST_USER (rltest). As any other user: runs the
# benchmark as that user, which needs subordinate ids in /etc/subuid and
# /etc/subgid.
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME with a '.', numbers printed the same anywhere

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
user=${RL_TEST_USER:-rltest}
runs=${RL_BENCH_RUNS:-50}
warmup=${RL_BENCH_WARMUP:-3}
# runc and newuidmap live in /usr/sbin and /usr/bin; Debian leaves /usr/sbin
# out of ordinary users' PATH.
PATH=$PATH:/usr/sbin:/sbin

tools=(rl bwrap runc podman)
benched=()           # the tools that ran their trial run, in order
declare -A why=()    # tool → why it is not benchmarked
declare -A median=() # tool → median wall time in ms
failed=0             # set when rl or an installed peer failed to run
work=""              # this run's temporary directory, removed on exit
gated_pid=""         # the rl of the memory measurement while it runs

# note prints a progress message on stderr, so stdout is the report alone.
note() { echo "# $*" >&2; }

die() {
	echo "bench: $*" >&2
	exit 1
}

# ---------------------------------------------------------------------------
# As root: stage and re-run as the test user.

stage_and_rerun() {
	[[ -x $top/bin/rl && -x $top/bin/rl-init ]] || die "bin/rl or bin/rl-init missing: run make build"
	"$top/tests/setup.sh" bench
	local stage
	stage=$(mktemp -d /tmp/rl-bench.XXXXXX)
	# shellcheck disable=SC2064 # expand $stage now: it is local
	trap "rm -rf '$stage'" EXIT
	mkdir -p "$stage/bin" "$stage/tests/bench" "$stage/t"
	cp "$top/bin/rl" "$top/bin/rl-init" "$stage/bin/"
	cp "$top/tests/mkrootfs.sh" "$stage/tests/"
	cp -r "$here/." "$stage/tests/bench/"
	chmod -R a+rX "$stage"
	# The user's work directory goes in here too, so that removing the stage
	# removes whatever the user could not (files of subordinate ids).
	chown "$user" "$stage/t"
	note "benchmarking as the unprivileged user $user"
	cd "$stage"
	runuser -u "$user" -- env TMPDIR="$stage/t" "$stage/tests/bench/run.sh"
}

# ---------------------------------------------------------------------------
# Setup: the root filesystem and what each tool needs to run on it.

# make_workdir creates the temporary directory that holds everything this
# run makes, and points every tool's per-user state there (podman, through
# XDG_*, would otherwise use ~/.config, ~/.local/share and /run/user).
make_workdir() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/rlb.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	cd "$work"
	mkdir -p xdg/config xdg/data xdg/cache tmp
	mkdir -m 0700 xdg/runtime
	export XDG_RUNTIME_DIR=$work/xdg/runtime XDG_CONFIG_HOME=$work/xdg/config \
		XDG_DATA_HOME=$work/xdg/data XDG_CACHE_HOME=$work/xdg/cache TMPDIR=$work/tmp
}

# cleanup removes what the run made: a container still running, podman's
# storage (its layers belong to subordinate ids, which only podman can
# remove) and its pause process, and the temporary directory.
cleanup() {
	local status=$?
	if [[ -n $gated_pid ]]; then
		kill "$gated_pid" 2>/dev/null || true
		wait "$gated_pid" 2>/dev/null || true
	fi
	if [[ -n ${runc_state:-} ]]; then
		local id
		for id in $(runc --root "$runc_state" list -q 2>/dev/null); do
			runc --root "$runc_state" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	if [[ -n ${podman_global[*]:-} ]]; then
		# reset removes every container and image in this storage, the
		# storage itself, and stops the pause process.
		podman "${podman_global[@]}" system reset --force >/dev/null 2>&1 ||
			note "podman system reset failed; files may be left in $work"
	fi
	cd /
	if [[ -n $work ]] && ! rm -rf "$work" 2>/dev/null; then
		note "could not remove all of $work"
	fi
	exit "$status"
}

# unavailable marks a peer as not benchmarked, with why.
unavailable() {
	why[$1]="unavailable: $2"
	note "$1: ${why[$1]}"
}

# broken marks a tool that is installed but failed its trial run; the
# benchmark goes on without it and exits non-zero at the end.
broken() { # broken TOOL OUTPUT-FILE
	local output
	output=$(tail -n 3 "$2" | tr '\n' ' ')
	why[$1]="failed: ${output% }"
	note "$1: ${why[$1]}"
	failed=1
}

# try runs a tool once, untimed, keeping its output in out.TOOL.
try() {
	"run_$1" >"$work/out.$1" 2>&1 </dev/null
}

setup_rootfs() {
	root=$work/rootfs
	"$top/tests/mkrootfs.sh" "$root"
}

setup_rl() {
	rl=$top/bin/rl
	rl_cmd=("$rl" --root "$work/rl/root" --runroot "$work/rl/run" run --rm --network none --rootfs "$root" /bin/true)
	try rl || {
		cat "$work/out.rl" >&2
		die "rl failed to run /bin/true: ${rl_cmd[*]}"
	}
}
run_rl() { "${rl_cmd[@]}"; }

setup_bwrap() {
	command -v bwrap >/dev/null || {
		unavailable bwrap "bwrap is not installed"
		return
	}
	bwrap_cmd=(bwrap --unshare-user --unshare-ipc --unshare-pid --unshare-uts --unshare-net --unshare-cgroup
		--bind "$root" / --proc /proc --dev /dev /bin/true)
	try bwrap || broken bwrap "$work/out.bwrap"
}
run_bwrap() { "${bwrap_cmd[@]}"; }

# setup_runc makes a rootless bundle whose root is ROOT: `runc spec
# --rootless` (user, mount, pid, ipc and uts namespaces, the caller mapped to
# root) plus network and cgroup namespaces, no terminal, /bin/true.
setup_runc() {
	command -v runc >/dev/null || {
		unavailable runc "runc is not installed"
		return
	}
	command -v jq >/dev/null || {
		unavailable runc "jq is not installed (needed to edit the bundle's config.json)"
		return
	}
	local bundle=$work/runc/bundle
	runc_state=$work/runc/state
	mkdir -p "$bundle" "$runc_state"
	(cd "$bundle" && runc spec --rootless)
	jq --arg root "$root" '
		.root.path = $root
		| .process.terminal = false
		| .process.args = ["/bin/true"]
		| .linux.namespaces += [{type: "network"}, {type: "cgroup"}]
	' "$bundle/config.json" >"$bundle/config.json.new"
	mv "$bundle/config.json.new" "$bundle/config.json"
	runc_cmd=(runc --root "$runc_state" run --bundle "$bundle")
	runc_seq=0
	try runc || broken runc "$work/out.runc"
}
# run_runc names each container anew: a run that dies half way must not
# make the next ones fail on a name in use.
run_runc() {
	runc_seq=$((runc_seq + 1))
	"${runc_cmd[@]}" "rl-bench-$$-$runc_seq"
}

# setup_podman imports ROOT as an image into storage under the work
# directory and finds options that let rootless podman run it here. Without
# systemd as PID 1 there is no user bus: cgroupfs and file events. On a
# cgroup v1/v2 hybrid crun (podman's usual runtime) refuses to start
# ("cgroups in hybrid mode not supported"), so runc is tried next; vfs is
# the storage driver of last resort where rootless overlay is not there.
setup_podman() {
	command -v podman >/dev/null || {
		unavailable podman "podman is not installed"
		return
	}
	local driver runtime imported="" tar=$work/rootfs.tar
	tar -C "$root" -cf "$tar" .
	podman_image=localhost/rl-bench-busybox:latest
	for driver in overlay vfs; do
		# podman refuses a run root longer than 50 characters: keep it short.
		podman_global=(--root "$work/podman/$driver" --runroot "$work/prun"
			--storage-driver "$driver" --cgroup-manager cgroupfs --events-backend file)
		if podman "${podman_global[@]}" import "$tar" "$podman_image" >"$work/out.podman" 2>&1; then
			imported=$driver
			break
		fi
		podman "${podman_global[@]}" system reset --force >/dev/null 2>&1 || true
	done
	if [[ -z $imported ]]; then
		broken podman "$work/out.podman"
		return
	fi
	for runtime in default runc; do
		podman_cmd=(podman "${podman_global[@]}")
		[[ $runtime == default ]] || podman_cmd+=(--runtime "$runtime")
		podman_cmd+=(run --rm --network none "$podman_image" /bin/true)
		if try podman; then
			note "podman: storage driver $driver, runtime $runtime"
			return
		fi
	done
	broken podman "$work/out.podman"
}
run_podman() { "${podman_cmd[@]}"; }

# ---------------------------------------------------------------------------
# Timing.

# time_once runs TOOL once and appends its wall time in microseconds to
# times.TOOL.
time_once() {
	local tool=$1 start end status=0
	start=$EPOCHREALTIME
	"run_$tool" >"$work/out.$tool" 2>&1 </dev/null || status=$?
	end=$EPOCHREALTIME
	if ((status != 0)); then
		cat "$work/out.$tool" >&2
		die "$tool exited with status $status during the timed runs"
	fi
	echo $((${end/./} - ${start/./})) >>"$work/times.$tool"
}

# bench runs warm-up rounds, then timed ones, of every benchmarked tool in
# turn; each round starts one tool further on, so that no tool always runs
# right after the same other one.
bench() {
	local round i n=${#benched[@]}
	note "$warmup warm-up and $runs timed runs of ${benched[*]}"
	for ((round = 0; round < warmup + runs; round++)); do
		for ((i = 0; i < n; i++)); do
			local tool=${benched[(round + i) % n]}
			if ((round < warmup)); then
				try "$tool" || {
					cat "$work/out.$tool" >&2
					die "$tool failed during warm-up"
				}
			else
				time_once "$tool"
			fi
		done
	done
}

# stats prints the median, minimum and 90th percentile of a file of
# microsecond times, in milliseconds.
stats() {
	sort -n "$1" | awk '
		{ t[NR] = $1 }
		END {
			median = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
			p90 = t[int(NR * 0.9 + 0.999)]
			printf "%.1f %.1f %.1f\n", median / 1000, t[1] / 1000, p90 / 1000
		}'
}

# ---------------------------------------------------------------------------
# Memory.

# vmhwm prints a process's peak resident set size in kB.
vmhwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# measure_rss_whole sets rss_whole to the median over five runs of what GNU
# time reports as the maximum resident set size of `rl run`, in kB: that of
# the largest single process of the tree it waited for (rl, rl-init and the
# command it becomes, newuidmap, newgidmap), not their sum.
measure_rss_whole() {
	local i
	rss_whole=""
	[[ -x /usr/bin/time ]] || return 0
	for i in 1 2 3 4 5; do
		/usr/bin/time -f %M -o "$work/rss.$i" "${rl_cmd[@]}" >"$work/out.rss" 2>&1 </dev/null || {
			cat "$work/out.rss" >&2
			die "rl failed under /usr/bin/time"
		}
	done
	rss_whole=$(cat "$work"/rss.? | sort -n | sed -n 3p)
}

# measure_rss_split sets rss_front and rss_init to the peak resident set
# sizes of the rl front end and of rl-init, in kB, read from /proc while
# the container's command waits on a FIFO. --init keeps rl-init as PID 1
# (instead of it becoming the command), so both processes are still there
# to read, after all their setup work.
measure_rss_split() {
	local gate=$work/gate ready=$work/ready gate_fd ready_fd line children
	rss_front="" rss_init=""
	mkfifo "$gate" "$ready"
	"$rl" --root "$work/rl/root" --runroot "$work/rl/run" run --rm --init -i --network none --rootfs "$root" \
		/bin/sh -c 'echo ready; read -r line' <"$gate" >"$ready" 2>"$work/out.gated" &
	gated_pid=$!
	exec {gate_fd}>"$gate" {ready_fd}<"$ready"
	if read -r -t 30 line <&"$ready_fd" && [[ $line == ready ]]; then
		rss_front=$(vmhwm "$gated_pid")
		# rl-init is rl's only child by now (newuidmap and newgidmap are done).
		read -ra children <<<"$(cat /proc/"$gated_pid"/task/*/children)"
		((${#children[@]} == 1)) && rss_init=$(vmhwm "${children[0]}")
		echo >&"$gate_fd" # let the command finish
	fi
	# Closing the gate also ends a command that never said it was ready.
	exec {gate_fd}>&- {ready_fd}<&-
	wait "$gated_pid" || {
		cat "$work/out.gated" >&2
		die "rl failed in the memory measurement"
	}
	gated_pid=""
}

# ---------------------------------------------------------------------------
# Report.

mb() { awk -v kb="$1" 'BEGIN { if (kb ~ /^[0-9]+$/) printf "%.1f MB", kb / 1024; else print "?" }'; }

versions() {
	local v=("rl $("$rl" version | awk 'NR == 1 { print $3 }')")
	command -v bwrap >/dev/null && v+=("$(bwrap --version)")
	command -v runc >/dev/null && v+=("$(runc --version | head -n 1)")
	command -v podman >/dev/null && v+=("$(podman --version)")
	local joined
	printf -v joined '%s, ' "${v[@]}"
	echo "${joined%, }"
}

# report prints the results; the memory measurements must have been made.
report() {
	local tool m lo p90
	echo "rl start-up benchmark: start a container on a busybox root, run /bin/true, tear down"
	echo "machine: $(uname -sr), $(nproc) CPUs; user $(id -un)"
	echo "tools:   $(versions)"
	echo "wall time of the whole command, $runs runs each after $warmup warm-up rounds, interleaved"
	echo
	printf '%-8s %10s %10s %10s\n' tool median min p90
	for tool in "${tools[@]}"; do
		if [[ -n ${why[$tool]:-} ]]; then
			printf '%-8s %s\n' "$tool" "${why[$tool]}"
			continue
		fi
		read -r m lo p90 < <(stats "$work/times.$tool")
		median[$tool]=$m
		printf '%-8s %7s ms %7s ms %7s ms\n' "$tool" "$m" "$lo" "$p90"
	done
	echo
	echo "commands (ROOT: the busybox root filesystem, WORK: this run's temporary directory)"
	for tool in "${benched[@]}"; do
		local -n cmd=${tool}_cmd
		local line="${cmd[*]}"
		[[ $tool != runc ]] || line+=" ID   (bundle: runc spec --rootless + net and cgroup namespaces)"
		line=${line//$root/ROOT}
		printf '  %-7s %s\n' "$tool" "${line//$work/WORK}"
	done
	echo
	printf '%-10s %6s  %-8s %s\n' ratio value target result
	ratio rl/bwrap "${median[bwrap]:-}" 1.5
	ratio rl/runc "${median[runc]:-}" ""
	ratio rl/podman "${median[podman]:-}" 0.1
	echo
	echo "peak RSS of rl"
	if [[ -n $rss_whole ]]; then
		echo "  whole rl run, largest single process (GNU time %M, median of 5 runs): $(mb "$rss_whole")"
	else
		echo "  whole rl run: unavailable: /usr/bin/time is not installed (package time)"
	fi
	echo "  rl front end alone (VmHWM while the command runs; run with --init -i): $(mb "$rss_front")"
	echo "  rl-init alone (VmHWM as PID 1 after its setup; same run):             $(mb "$rss_init")"
}

# ratio prints rl's median over a peer's, against the target if there is
# one. The median of rl is known; the peer's may be missing.
ratio() { # ratio NAME PEER-MEDIAN TARGET
	local target=${3:+<= $3}
	if [[ -z $2 ]]; then
		printf '%-10s %6s  %-8s %s\n' "$1" - "${target:--}" "no peer result"
		return
	fi
	awk -v name="$1" -v rl="${median[rl]}" -v peer="$2" -v limit="$3" -v target="${target:--}" 'BEGIN {
		r = rl / peer
		result = limit == "" ? "(no target)" : (r <= limit ? "PASS" : "MISS")
		printf "%-10s %6.3f  %-8s %s\n", name, r, target, result
	}'
}

main() {
	if [[ $(id -u) == 0 ]]; then
		stage_and_rerun
		return
	fi
	[[ -x $top/bin/rl && -x $top/bin/rl-init ]] || die "bin/rl or bin/rl-init missing: run make build"
	make_workdir
	note "setting up in $work"
	setup_rootfs
	setup_rl
	setup_bwrap
	setup_runc
	setup_podman
	local tool
	for tool in "${tools[@]}"; do
		[[ -n ${why[$tool]:-} ]] || benched+=("$tool")
	done
	bench
	measure_rss_whole
	measure_rss_split
	report
	return "$failed"
}

main "$@"

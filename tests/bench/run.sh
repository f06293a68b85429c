#!/usr/bin/env bash
# bench/run.sh: how long rl takes to start a container, run /bin/true and
# tear it down, next to its peers on the same machine and the same busybox
# root filesystem:
#
#   rl          rl run --rm --network none --rootfs ROOT /bin/true
#   rl-base     the same with the base build: the rl in RL_BENCH_BASE
#   rl-unconfined  the same as rl with --security-opt seccomp=unconfined: no filter
#   rl-img      rl run --rm --network none IMAGE true, IMAGE being
#               rl-test/busybox (the same busybox) pulled beforehand
#   rl-img-base the same with the base build, in a store of its own into
#               which IMAGE is pulled beforehand with the base build
#   rl-img-net  rl run --rm IMAGE true: rl's default network, slirp4netns
#   bwrap       bwrap with the same seven namespaces, ROOT bound on /
#   runc        runc run of a `runc spec --rootless` bundle on ROOT (plus net
#               and cgroup namespaces, so that it makes the same seven)
#   podman      podman run --rm --network none of ROOT imported as an image,
#               in storage of its own
#   podman-img  podman run --rm --network none IMAGE true, in that storage
#   podman-img-net  podman run --rm --network slirp4netns IMAGE true
#
# and how long each takes to pull rl-test/big (five layers, ~200 MB, built
# by mkbig.sh) from the registry into an empty store:
#
#   rl-pull      rl pull --tls-verify=false, fresh --root and --runroot
#   podman-pull  podman pull --tls-verify=false, fresh storage
#   skopeo-pull  skopeo copy into containers-storage:[DRIVER@ROOT+RUNROOT]
#
# and the TCP throughput of rl's network (slirp4netns, ports published by
# rootlesskit's builtin port driver) next to podman's with the same backend
# (slirp4netns, port_handler=rootlesskit), measured by iperf3 (-t
# RL_BENCH_NET_TIME, 3 s) in a root filesystem of ROOT plus the host's
# iperf3 and its libraries (mkiperfroot.sh), imported as an image for podman:
#
#   rl-in, podman-in    host -> container: the server (iperf3 -s -1) in a
#                       container run with -p 127.0.0.1:PORT:5201, the client
#                       on the host, connecting to 127.0.0.1:PORT
#   rl-out, podman-out  container -> host: the server on the host's
#                       127.0.0.1:PORT, the client in a container run with
#                       --network slirp4netns:allow_host_loopback=true,
#                       connecting to the gateway 10.0.2.2
#
# The images come from a registry on 127.0.0.1 that the benchmark starts
# (tests/registry/start.sh) in its temporary directory and stops on exit;
# where it cannot start, the image benchmarks are reported as unavailable.
#
# It prints the median wall time of RL_BENCH_RUNS (50) start-up runs and
# RL_BENCH_PULL_RUNS (5) pulls of each, the median throughput of
# RL_BENCH_NET_RUNS (3) iperf3 runs of each, the ratios of rl to its peers
# against the targets (rl <= 1.5x bwrap, rl <= 0.1x podman, rl-img <= 0.08x
# podman-img, rl-img <= 1.5x rl, rl <= 1.05x rl-base, rl-img <= 1.05x
# rl-img-base, rl-pull <= 1.0x the faster of podman-pull
# and skopeo-pull, rl-in >= 1.0x podman-in, rl-out >= 1.0x podman-out), what
# the network adds to rl's start (rl-img-net - rl-img <= +30 ms, next to
# podman-img-net - podman-img) -- informational: a MISS does not fail the
# script -- and rl's peak resident memory, starting and pulling. The runs
# are interleaved round-robin, the start-up runs after RL_BENCH_WARMUP (3)
# untimed rounds, the pulls and iperf3 runs after one untimed trial run of
# each, so that load that comes and goes on the machine falls on every tool
# alike rather than on whichever was being timed at the moment. Between
# pulls, untimed, the stores are removed and `sync` writes back what they
# left. Each iperf3 run has a server of its own on a free port, which the
# client connects to once it says that it listens.
#
# Then lifecycle.sh: run -d/rm -f cycles, exec, rl ps of 50 containers
# and the monitors' memory, next to podman's; and scale.sh: ps, ps -a,
# run --rm, exec and create+rm in a store of 500 created and 100 running
# containers, next to the same in a store of one (RL_BENCH_SCALE_CREATED,
# RL_BENCH_SCALE_RUNNING, RL_BENCH_SCALE_RUNS); and networks.sh: the
# start-up a user-defined network adds, and iperf3 between two containers
# on one, next to podman's.
#
# RL_BENCH_BASE names a directory holding another build of rl, rl-init and
# rl-image, the base (`make bench` builds the commit BENCH_BASE there with
# base.sh), for rl-base and rl-img-base: run interleaved with rl and
# rl-img, they show whether a change slows rl's start down. Without it
# they are reported as unavailable. RL_BENCH_ONLY, a space-separated list
# of start-up tools (say "rl rl-base rl-img rl-img-base"), benchmarks those
# alone (and rl's memory), without the pulls, the network, lifecycle.sh
# and scale.sh.
#
# Exit status: 0 when rl and every installed peer ran; 1 when one of them
# failed. A peer that is not installed (the base: RL_BENCH_BASE not set, or
# without rl, rl-init or rl-image) is reported as unavailable and skipped.
#
# As root: runs tests/setup.sh, stages bin/rl, bin/rl-init, bin/rl-image,
# the base build, mkrootfs.sh, tests/registry and this directory in a
# world-readable temporary directory (the checkout may sit where the test
# user cannot enter) and runs itself there as the unprivileged test user RL_TEST_USER
# (rltest). As any other user: runs the benchmark as that user, which needs
# subordinate ids in /etc/subuid and /etc/subgid.
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME with a '.', numbers printed the same anywhere

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
user=${RL_TEST_USER:-rltest}
runs=${RL_BENCH_RUNS:-50}
warmup=${RL_BENCH_WARMUP:-3}
pull_runs=${RL_BENCH_PULL_RUNS:-5}
net_runs=${RL_BENCH_NET_RUNS:-3}
net_time=${RL_BENCH_NET_TIME:-3}
base=${RL_BENCH_BASE:-} # the base build's directory; absolute, as run cds away
[[ -z $base || $base == /* ]] || base=$PWD/$base
read -ra only <<<"${RL_BENCH_ONLY:-}" # the start-up tools to run, if not all
# runc and newuidmap live in /usr/sbin and /usr/bin; Debian leaves /usr/sbin
# out of ordinary users' PATH.
PATH=$PATH:/usr/sbin:/sbin

tools=(rl rl-unconfined rl-base rl-img rl-img-base rl-img-net bwrap runc podman podman-img podman-img-net) # start-up, in report order
pull_tools=(rl-pull podman-pull skopeo-pull)
net_tools=(rl-in podman-in rl-out podman-out)
benched=()           # the start-up tools that ran their trial run, in order
pulled=()            # the same for the pull tools
net_benched=()       # the same for the network tools
declare -A why=()    # tool → why it is not benchmarked
declare -A median=() # tool → median wall time in ms (throughput in Mbit/s)
failed=0             # set when rl or an installed peer failed to run
work=""              # this run's temporary directory, removed on exit
gated_pid=""         # the rl of the memory measurement while it runs
registry=""          # the registry's directory while it runs
server_pid=""        # an iperf3 server (on the host or in a container) while it runs
declare -A rss_tree=() rss_largest=() # pull tool → peak RSS in kB
declare -A chosen=() # start-up tool → 1 when it is benchmarked (in RL_BENCH_ONLY)
declare -A needed=() # the same, and the tools whose set-up those build on

# note prints a progress message on stderr, so stdout is the report alone.
note() { echo "# $*" >&2; }

die() {
	echo "bench: $*" >&2
	exit 1
}

# ---------------------------------------------------------------------------
# As root: stage and re-run as the test user.

stage_and_rerun() {
	local bin
	for bin in rl rl-init rl-image; do
		[[ -x $top/bin/$bin ]] || die "bin/$bin missing: run make build"
	done
	"$top/tests/setup.sh" bench
	local stage
	stage=$(mktemp -d /tmp/rl-bench.XXXXXX)
	# shellcheck disable=SC2064 # expand $stage now: it is local
	trap "rm -rf '$stage'" EXIT
	mkdir -p "$stage/bin" "$stage/tests/bench" "$stage/tests/registry" "$stage/t"
	cp "$top/bin/rl" "$top/bin/rl-init" "$top/bin/rl-image" "$stage/bin/"
	# The base build beside it, where there is one (else the user's run
	# says why not).
	local base_env=()
	if has_base; then
		mkdir "$stage/base"
		cp "$base/rl" "$base/rl-init" "$base/rl-image" "$stage/base/"
		base_env=(RL_BENCH_BASE="$stage/base")
	fi
	cp "$top/tests/mkrootfs.sh" "$stage/tests/"
	cp "$top/tests/registry/"*.sh "$stage/tests/registry/"
	cp -r "$here/." "$stage/tests/bench/"
	chmod -R a+rX "$stage"
	# The user's work directory goes in here too, so that removing the stage
	# removes whatever the user could not (files of subordinate ids).
	chown "$user" "$stage/t"
	note "benchmarking as the unprivileged user $user"
	cd "$stage"
	runuser -u "$user" -- env TMPDIR="$stage/t" "${base_env[@]}" "$stage/tests/bench/run.sh"
}

# has_base: whether RL_BENCH_BASE holds a build, setting base_missing to
# why not when it does not.
has_base() {
	local bin
	base_missing=""
	if [[ -z $base ]]; then
		base_missing="RL_BENCH_BASE is not set (make bench sets it to a build of BENCH_BASE)"
		return 1
	fi
	if [[ ! -d $base ]]; then
		base_missing="RL_BENCH_BASE=$base is not a directory"
		return 1
	fi
	for bin in rl rl-init rl-image; do
		[[ -x $base/$bin && ! -d $base/$bin ]] && continue
		base_missing="RL_BENCH_BASE=$base has no $bin"
		return 1
	done
}

# select_tools reads RL_BENCH_ONLY: it leaves in tools those it names, in
# report order, and marks them chosen, and needed with the tools whose
# set-up theirs builds on. Without it, every tool is both.
select_tools() {
	local tool word all=("${tools[@]}")
	local -A deps=([rl-img-base]=rl-base [rl-img-net]=rl-img [podman-img]=podman [podman-img-net]=podman-img)
	if ((${#only[@]} == 0)); then
		for tool in "${tools[@]}"; do
			chosen[$tool]=1 needed[$tool]=1
		done
		return
	fi
	for word in "${only[@]}"; do
		for tool in "${all[@]}"; do
			[[ $word != "$tool" ]] || continue 2
		done
		die "RL_BENCH_ONLY: $word is not a start-up tool (${all[*]})"
	done
	tools=()
	for tool in "${all[@]}"; do
		for word in "${only[@]}"; do
			[[ $word == "$tool" ]] || continue
			tools+=("$tool")
			chosen[$tool]=1
			while [[ -n $tool ]]; do
				needed[$tool]=1
				tool=${deps[$tool]:-}
			done
			break
		done
	done
}

# wanted TOOL: whether TOOL is to be set up.
wanted() { [[ -n ${needed[$1]:-} ]]; }

# selected TOOL...: whether each TOOL is benchmarked, or could be: always
# true without RL_BENCH_ONLY (whose list names start-up tools alone).
selected() {
	((${#only[@]})) || return 0
	local tool
	for tool; do
		[[ -n ${chosen[$tool]:-} ]] || return 1
	done
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

# cleanup removes what the run made: a container or an iperf3 server still
# running, podman's storage (its layers belong to subordinate ids, which
# only podman can remove) and its pause process, rl's holder, and the
# temporary directory.
cleanup() {
	local status=$?
	if [[ -n $gated_pid ]]; then
		kill "$gated_pid" 2>/dev/null || true
		wait "$gated_pid" 2>/dev/null || true
	fi
	[[ -z $server_pid ]] || stop_server 0 || true
	if [[ -n ${runc_state:-} ]]; then
		local id
		for id in $(runc --root "$runc_state" list -q 2>/dev/null); do
			runc --root "$runc_state" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	if [[ -n $registry ]]; then
		"$top/tests/registry/stop.sh" "$registry" || note "could not stop the registry in $registry"
	fi
	if [[ -n ${podman_global[*]:-} ]]; then
		# reset removes every container and image in this storage, the
		# storage itself, and stops the pause process.
		podman "${podman_global[@]}" system reset --force >/dev/null 2>&1 ||
			note "podman system reset failed; files may be left in $work"
	fi
	# And rl's holder of the shared user namespace, whose pid file is in
	# this run's XDG_RUNTIME_DIR.
	local holder
	if [[ -n $work ]] && read -r holder _ 2>/dev/null <"$XDG_RUNTIME_DIR/rl/userns.pid" &&
		[[ $(cat "/proc/$holder/comm" 2>/dev/null) == rl-userns ]]; then
		kill "$holder"
	fi
	cd /
	if [[ -n $work ]] && ! wipe "$work"; then
		note "could not remove all of $work"
	fi
	exit "$status"
}

# wipe removes a directory, making what is in it writable first where rm
# alone cannot (rl's store keeps its layer directories read-only, 0555).
# Every file of the test images belongs to uid 0, which is the user outside.
wipe() {
	rm -rf -- "$1" 2>/dev/null && return
	chmod -R u+rwX -- "$1" 2>/dev/null
	rm -rf -- "$1" 2>/dev/null
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
	rl_store=("$rl" --root "$work/rl/root" --runroot "$work/rl/run")
	rl_cmd=("${rl_store[@]}" run --rm --network none --rootfs "$root" /bin/true)
	try rl || {
		cat "$work/out.rl" >&2
		die "rl failed to run /bin/true: ${rl_cmd[*]}"
	}
}
run_rl() { "${rl_cmd[@]}"; }

# setup_rl-base runs ROOT as rl does, with the base build and a store of
# its own (the base may keep its store otherwise than rl does).
setup_rl-base() {
	has_base || {
		unavailable rl-base "$base_missing"
		return
	}
	base_rl=$base/rl
	rl_base_store=("$base_rl" --root "$work/rl-base/root" --runroot "$work/rl-base/run")
	rl_base_cmd=("${rl_base_store[@]}" run --rm --network none --rootfs "$root" /bin/true)
	try rl-base || broken rl-base "$work/out.rl-base"
}
run_rl-base() { "${rl_base_cmd[@]}"; }

# setup_rl-unconfined runs ROOT as rl does, without the seccomp filter, in
# a store of its own: rl - rl-unconfined is what the filter costs a start.
setup_rl-unconfined() {
	rl_unconfined_cmd=("$rl" --root "$work/rl-unconfined/root" --runroot "$work/rl-unconfined/run"
		run --rm --network none --security-opt seccomp=unconfined --rootfs "$root" /bin/true)
	try rl-unconfined || broken rl-unconfined "$work/out.rl-unconfined"
}
run_rl-unconfined() { "${rl_unconfined_cmd[@]}"; }

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
	podman_driver=$driver
	for runtime in default runc; do
		podman_run=(podman "${podman_global[@]}")
		podman_runtime=()
		[[ $runtime == default ]] || podman_runtime=(--runtime "$runtime")
		podman_run+=("${podman_runtime[@]}")
		podman_run+=(run --rm)
		podman_cmd=("${podman_run[@]}" --network none "$podman_image" /bin/true)
		if try podman; then
			note "podman: storage driver $driver, runtime $runtime"
			return
		fi
	done
	broken podman "$work/out.podman"
}
run_podman() { "${podman_cmd[@]}"; }

# ---------------------------------------------------------------------------
# Images: a registry of our own with rl-test/busybox (the same busybox as
# ROOT) for the start-up runs and rl-test/big for the pulls.

# setup_registry starts the registry in the work directory and pushes the
# test images (tests/registry/mkimages.sh) and the big one (mkbig.sh) to
# it. Where it cannot start, the image benchmarks are unavailable.
setup_registry() {
	local address tool unreached=(rl-img rl-img-base podman-img)
	((${#only[@]})) || unreached+=("${pull_tools[@]}")
	registry=$work/registry # set first: cleanup stops whatever started
	if ! address=$("$top/tests/registry/start.sh" "$registry" 2>"$work/out.registry"); then
		registry=""
		for tool in "${unreached[@]}"; do
			[[ ${#only[@]} == 0 ]] || wanted "$tool" || continue
			unavailable "$tool" "no local registry: $(tail -n 1 "$work/out.registry")"
		done
		return
	fi
	small_image=$address/rl-test/busybox:latest
	if ((${#only[@]})); then # no pulls: rl-test/busybox alone
		note "registry on $address: building and pushing rl-test/busybox"
		"$top/tests/registry/mkimages.sh" "$address" "$work/layout" >/dev/null || die "tests/registry/mkimages.sh failed"
		rm -rf "$work/layout"
		return
	fi
	note "registry on $address: building and pushing rl-test/busybox and rl-test/big"
	"$top/tests/registry/mkimages.sh" "$address" "$work/layout" >/dev/null || die "tests/registry/mkimages.sh failed"
	local pushed
	pushed=$("$here/mkbig.sh" "$address" "$work/layout") || die "tests/bench/mkbig.sh failed"
	big_kb=$(($(awk '{ print $3 }' <<<"$pushed") / 1024))
	rm -rf "$work/layout"
	big_image=$address/rl-test/big:latest
}

# setup_rl-img pulls the busybox image into rl's store: the timed runs
# start from an image that is there already.
setup_rl-img() {
	[[ -n ${small_image:-} ]] || return 0
	rl_img_cmd=("${rl_store[@]}" run --rm --network none "$small_image" true)
	{ "${rl_store[@]}" pull -q --tls-verify=false "$small_image" >"$work/out.rl-img" 2>&1 </dev/null &&
		try rl-img; } || broken rl-img "$work/out.rl-img"
}
run_rl-img() { "${rl_img_cmd[@]}"; }

# setup_rl-img-base pulls the busybox image into the base build's store, as
# setup_rl-img does into rl's, and runs it as rl-img does.
setup_rl-img-base() {
	[[ -n ${small_image:-} ]] || return 0
	if [[ -n ${why[rl-base]:-} ]]; then
		why[rl-img-base]=${why[rl-base]}
		return
	fi
	rl_img_base_cmd=("${rl_base_store[@]}" run --rm --network none "$small_image" true)
	{ "${rl_base_store[@]}" pull -q --tls-verify=false "$small_image" >"$work/out.rl-img-base" 2>&1 </dev/null &&
		try rl-img-base; } || broken rl-img-base "$work/out.rl-img-base"
}
run_rl-img-base() { "${rl_img_base_cmd[@]}"; }

# setup_podman-img pulls the busybox image into podman's storage of the
# start-up runs, and runs it as podman runs ROOT's import.
setup_podman-img() {
	[[ -n ${small_image:-} ]] || return 0
	if [[ -n ${why[podman]:-} ]]; then
		why[podman-img]=${why[podman]}
		return
	fi
	podman_img_cmd=("${podman_run[@]}" --network none "$small_image" true)
	{ podman "${podman_global[@]}" pull -q --tls-verify=false "$small_image" >"$work/out.podman-img" 2>&1 </dev/null &&
		try podman-img; } || broken podman-img "$work/out.podman-img"
}
run_podman-img() { "${podman_img_cmd[@]}"; }

# setup_rl-img-net and setup_podman-img-net run the busybox image as
# rl-img and podman-img do, but on slirp4netns, to measure what starting the
# network adds: rl's by default, podman's named (containers.conf could make
# another network its default).
setup_rl-img-net() {
	if [[ -n ${why[rl-img]:-} ]]; then
		why[rl-img-net]=${why[rl-img]}
		return
	fi
	rl_img_net_cmd=("${rl_store[@]}" run --rm "$small_image" true)
	try rl-img-net || broken rl-img-net "$work/out.rl-img-net"
}
run_rl-img-net() { "${rl_img_net_cmd[@]}"; }

setup_podman-img-net() {
	if [[ -n ${why[podman-img]:-} ]]; then
		why[podman-img-net]=${why[podman-img]}
		return
	fi
	podman_img_net_cmd=("${podman_run[@]}" --network slirp4netns "$small_image" true)
	try podman-img-net || broken podman-img-net "$work/out.podman-img-net"
}
run_podman-img-net() { "${podman_img_net_cmd[@]}"; }

# setup_pulls makes the pull commands, each with a store of its own under
# WORK/p, which wipe_pulls removes after every pull, and runs each once as
# its trial run, under the memory measurement. Podman and skopeo use the
# storage driver that podman ran with (overlay, unless it had to fall back
# to vfs), rl its own overlay store.
setup_pulls() {
	[[ -n ${big_image:-} ]] || return 0
	local p=$work/p driver=${podman_driver:-overlay} tool
	rl_pull_cmd=("$rl" --root "$p/rl" --runroot "$p/rlr" pull -q --tls-verify=false "$big_image")
	podman_pull_cmd=(podman --root "$p/pd" --runroot "$p/pdr" --storage-driver "$driver"
		--cgroup-manager cgroupfs --events-backend file pull -q --tls-verify=false "$big_image")
	skopeo_pull_cmd=(skopeo copy -q --src-tls-verify=false "docker://$big_image"
		"containers-storage:[$driver@$p/sk+$p/skr]$big_image")
	for tool in "${pull_tools[@]}"; do
		if [[ $tool != rl-pull ]] && ! command -v "${tool%-pull}" >/dev/null; then
			unavailable "$tool" "${tool%-pull} is not installed"
			continue
		fi
		measure_pull "$tool" || broken "$tool" "$work/out.$tool"
		wipe_pulls
		[[ -n ${why[$tool]:-} ]] || pulled+=("$tool")
	done
}
run_rl-pull() { "${rl_pull_cmd[@]}"; }
run_podman-pull() { "${podman_pull_cmd[@]}"; }
run_skopeo-pull() { "${skopeo_pull_cmd[@]}"; }

# wipe_pulls removes the pull stores, and writes back what they left in the
# page cache, so that no pull pays for the one before it.
wipe_pulls() {
	wipe "$work/p" || die "could not remove the pull stores in $work/p"
	sync
}

# ---------------------------------------------------------------------------
# Network throughput: iperf3 through rl's and podman's slirp4netns.

# setup_net makes the root filesystem with iperf3 (ROOT plus mkiperfroot.sh)
# and, for podman, an image of it in the storage of the start-up runs, then
# the commands of each direction, and runs each once as its trial run. The
# commands name their port PORT, which each run replaces with a free one.
setup_net() {
	local tool need
	for need in iperf3 jq python3; do
		command -v "$need" >/dev/null && continue
		for tool in "${net_tools[@]}"; do
			unavailable "$tool" "$need is not installed (tests/setup.sh bench installs it)"
		done
		return
	done
	iperf_root=$work/iperf-root
	"$top/tests/mkrootfs.sh" "$iperf_root"
	"$here/mkiperfroot.sh" "$iperf_root"
	# --forceflush: a server says that it listens at once, not when it ends.
	local iperf=(/usr/bin/iperf3 --forceflush) loopback=slirp4netns:allow_host_loopback=true
	# host -> container: the server in the container, the client here.
	rl_in_cmd=("${rl_store[@]}" run --rm -p 127.0.0.1:PORT:5201 --rootfs "$iperf_root" "${iperf[@]}" -s -1)
	in_client_cmd=(iperf3 -c 127.0.0.1 -p PORT -t "$net_time" -J)
	# container -> host: the server here, the client in the container.
	out_server_cmd=(iperf3 --forceflush -s -1 -B 127.0.0.1 -p PORT)
	rl_out_cmd=("${rl_store[@]}" run --rm --network "$loopback" --rootfs "$iperf_root"
		"${iperf[@]}" -c 10.0.2.2 -p PORT -t "$net_time" -J)
	if [[ -n ${why[podman]:-} ]]; then
		why[podman-in]=${why[podman]} why[podman-out]=${why[podman]}
	else
		local image=localhost/rl-bench-iperf3:latest
		tar -C "$iperf_root" -cf "$work/iperf-root.tar" .
		if podman "${podman_global[@]}" import "$work/iperf-root.tar" "$image" >"$work/out.podman-in" 2>&1; then
			podman_in_cmd=("${podman_run[@]}" --network slirp4netns:port_handler=rootlesskit
				-p 127.0.0.1:PORT:5201 "$image" "${iperf[@]}" -s -1)
			podman_out_cmd=("${podman_run[@]}" --network "$loopback" "$image"
				"${iperf[@]}" -c 10.0.2.2 -p PORT -t "$net_time" -J)
		else
			broken podman-in "$work/out.podman-in"
			why[podman-out]=${why[podman-in]}
		fi
	fi
	for tool in "${net_tools[@]}"; do
		[[ -z ${why[$tool]:-} ]] || continue
		if try "$tool"; then
			net_benched+=("$tool")
		else
			broken "$tool" "$work/out.$tool"
		fi
	done
}
run_rl-in() { iperf_run rl-in in "${rl_in_cmd[@]}"; }
run_podman-in() { iperf_run podman-in in "${podman_in_cmd[@]}"; }
run_rl-out() { iperf_run rl-out out "${rl_out_cmd[@]}"; }
run_podman-out() { iperf_run podman-out out "${podman_out_cmd[@]}"; }

# iperf_run TOOL in|out CMD... runs one iperf3 test: CMD in a container and
# in_client_cmd or out_server_cmd on the host, on a port that is free now.
# The client's report goes to iperf.TOOL, the receiver's throughput in
# kbit/s to rate.TOOL. Fails when either side does.
iperf_run() {
	local tool=$1 direction=$2 port server client status=0 server_status=0
	shift 2
	port=$(free_port) || return
	if [[ $direction == in ]]; then
		with_port "$port" "$@"
		server=("${ported[@]}")
		with_port "$port" "${in_client_cmd[@]}"
	else
		with_port "$port" "${out_server_cmd[@]}"
		server=("${ported[@]}")
		with_port "$port" "$@"
	fi
	client=("${ported[@]}")
	start_server "$work/server.$tool" "${server[@]}" || return
	# timeout: iperf3 can wait for good for a server that went away.
	timeout $((net_time + 60)) "${client[@]}" >"$work/iperf.$tool" </dev/null || status=$?
	# The server ends after its one test; a failed client leaves it waiting.
	stop_server "$((status == 0 ? 10 : 0))" || server_status=$?
	if ((status != 0 || server_status != 0)); then
		echo "bench: $tool: the client exited with status $status, the server with $server_status; the server said:" >&2
		cat "$work/server.$tool" >&2
		return 1
	fi
	rate_of "$work/iperf.$tool" >"$work/rate.$tool"
}

# with_port PORT WORD... sets the array ported to the WORDs, with PORT in
# place of the word PORT and of the PORT of 127.0.0.1:PORT:5201.
with_port() {
	local port=$1 word
	shift
	ported=()
	for word; do
		case $word in
		PORT) ported+=("$port") ;;
		127.0.0.1:PORT:5201) ported+=("127.0.0.1:$port:5201") ;;
		*) ported+=("$word") ;;
		esac
	done
}

# free_port prints a TCP port on 127.0.0.1 that is free now.
free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server OUTPUT CMD... starts the iperf3 server CMD (in a container or
# not) in the background, its output in OUTPUT, and returns once it says
# that it listens (at most 20 s). Probing its port instead would not do: a
# published port accepts before the server in the container listens, and
# a probe would be the one test of iperf3 -s -1.
start_server() {
	local output=$1 i
	shift
	"$@" >"$output" 2>&1 </dev/null &
	server_pid=$!
	for ((i = 0; i < 400; i++)); do
		grep -q '^Server listening' "$output" && return 0
		running "$server_pid" || break
		sleep 0.05
	done
	stop_server 0 || true
	echo "bench: the iperf3 server never listened: $*" >&2
	cat "$output" >&2
	return 1
}

# stop_server GRACE gives the server GRACE seconds to end by itself, then
# ends it (SIGTERM, which rl and podman pass on to the container, and
# SIGKILL 10 s later) and returns its exit status.
stop_server() {
	local grace=$1 pid=$server_pid signal
	for signal in TERM KILL; do
		ends_within "$grace" "$pid" && break
		kill -"$signal" "$pid" 2>/dev/null || true
		grace=10
	done
	server_pid=""
	wait "$pid"
}

# ends_within SECONDS PID: whether the process ends (or is a zombie) within
# SECONDS.
ends_within() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		running "$2" || return 0
		sleep 0.05
	done
	! running "$2"
}

# running PID: whether the process runs (and is no zombie).
running() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[[ $stat != Z* ]]
}

# rate_of REPORT prints the receiver's throughput, in kbit/s, of an iperf3
# -J report, or says why there is none (iperf3 can exit 0 even so).
rate_of() {
	local kbits why
	# jq (1.6) succeeds on an empty file, printing nothing.
	if kbits=$(jq -er '.end.sum_received.bits_per_second / 1000 | floor' "$1" 2>/dev/null) && [[ -n $kbits ]]; then
		echo "$kbits"
		return
	fi
	why=$(jq -r '.error // "no throughput in the report"' "$1" 2>/dev/null) || why=""
	echo "iperf3: ${why:-no report}" >&2
	return 1
}

# record_rate TOOL adds the throughput of TOOL's last run to rates.TOOL.
record_rate() { cat "$work/rate.$1" >>"$work/rates.$1"; }

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

# bench runs WARMUP untimed rounds, then RUNS timed ones, of every TOOL in
# turn, and AFTER TOOL (untimed) after each run; each round starts one tool
# further on, so that no tool always runs right after the same other one.
bench() { # bench WARMUP RUNS AFTER TOOL...
	local warmup=$1 runs=$2 after=$3 round i
	shift 3
	local list=("$@") n=$#
	note "$warmup warm-up and $runs timed runs of ${list[*]}"
	for ((round = 0; round < warmup + runs; round++)); do
		for ((i = 0; i < n; i++)); do
			local tool=${list[(round + i) % n]}
			if ((round < warmup)); then
				try "$tool" || {
					cat "$work/out.$tool" >&2
					die "$tool failed during warm-up"
				}
			else
				time_once "$tool"
			fi
			"$after" "$tool"
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
	"${rl_store[@]}" run --rm --init -i --network none --rootfs "$root" \
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

# tree_rss PID SELF: the summed resident set sizes, in kB, of PID's
# descendants, and of PID itself when SELF is 1.
tree_rss() {
	ps -e -o pid=,ppid=,rss= | awk -v root="$1" -v self="$2" '
		{ parent[$1] = $2; rss[$1] = $3 }
		END {
			tree[root] = 1
			do {
				grown = 0
				for (p in parent)
					if (!(p in tree) && (parent[p] in tree)) { tree[p] = 1; grown = 1 }
			} while (grown)
			for (p in tree)
				if (p != root || self) sum += rss[p]
			print sum + 0
		}'
}

# measure_pull runs a pull tool once, untimed, and sets rss_tree[TOOL] to
# the peak of the summed resident set sizes of its whole process tree (rl,
# rl-image and rl-image re-executed in the user namespace, for rl), sampled
# every 20 ms, and rss_largest[TOOL] to what GNU time reports: the peak of
# its largest single process. Fails when the tool does.
measure_pull() {
	local tool=$1 pid peak=0 kb self=1 timer=()
	local -n cmd=${tool//-/_}_cmd
	if [[ -x /usr/bin/time ]]; then
		timer=(/usr/bin/time -f %M -o "$work/rss.$tool")
		self=0 # the tree's root is GNU time, not the tool
	fi
	"${timer[@]}" "${cmd[@]}" >"$work/out.$tool" 2>&1 </dev/null &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		kb=$(tree_rss "$pid" "$self")
		((kb <= peak)) || peak=$kb
		sleep 0.02
	done
	wait "$pid" || return
	rss_tree[$tool]=$peak
	[[ $self == 1 ]] || rss_largest[$tool]=$(tail -n 1 "$work/rss.$tool")
}

# ---------------------------------------------------------------------------
# Report.

mb() { awk -v kb="$1" 'BEGIN { if (kb ~ /^[0-9]+$/) printf "%.1f MB", kb / 1024; else print "?" }'; }

versions() {
	local v=("rl $("$rl" version | awk 'NR == 1 { print $3 }')")
	[[ -n ${why[rl-base]:-} || -z ${base_rl:-} ]] || v+=("base rl $("$base_rl" version | awk 'NR == 1 { print $3 }')")
	command -v bwrap >/dev/null && v+=("$(bwrap --version)")
	command -v runc >/dev/null && v+=("$(runc --version | head -n 1)")
	command -v podman >/dev/null && v+=("$(podman --version)")
	command -v skopeo >/dev/null && v+=("$(skopeo --version)")
	command -v slirp4netns >/dev/null && v+=("$(slirp4netns --version | head -n 1)")
	command -v iperf3 >/dev/null && v+=("$(iperf3 --version | head -n 1)")
	local joined
	printf -v joined '%s, ' "${v[@]}"
	echo "${joined%, }"
}

# table prints the median, minimum and 90th percentile of each TOOL's
# results in the file KIND.TOOL (times, in microseconds, or rates, in
# kbit/s), in UNIT (ms, Mbit/s), or why it has none, and records its median.
table() { # table KIND UNIT TOOL...
	local kind=$1 unit=$2 tool m lo p90
	shift 2
	local w=$((8 + ${#unit}))
	printf '%-14s %*s %*s %*s\n' tool "$w" median "$w" min "$w" p90
	for tool in "$@"; do
		if [[ -n ${why[$tool]:-} ]]; then
			printf '%-14s %s\n' "$tool" "${why[$tool]}"
			continue
		fi
		read -r m lo p90 < <(stats "$work/$kind.$tool")
		median[$tool]=$m
		printf '%-14s %7s %s %7s %s %7s %s\n' "$tool" "$m" "$unit" "$lo" "$unit" "$p90" "$unit"
	done
}

# commands prints each TOOL's command line, with ROOT, WORK and REGISTRY
# for the paths and address that change from run to run.
commands() { # commands TOOL...
	local tool
	for tool in "$@"; do
		local -n cmd=${tool//-/_}_cmd
		local line="${cmd[*]}"
		[[ $tool != runc ]] || line+=" ID   (bundle: runc spec --rootless + net and cgroup namespaces)"
		line=${line//$root/ROOT}
		line=${line//$work/WORK}
		[[ -z $base ]] || line=${line//$base/BASE}
		[[ -z ${small_image:-} ]] || line=${line//${small_image%%/*}/REGISTRY}
		printf '  %-14s %s\n' "$tool" "$line"
	done
}

# report prints the results; the memory measurements must have been made.
report() {
	echo "rl start-up benchmark: start a container on a busybox root, run /bin/true, tear down"
	echo "machine: $(uname -sr), $(nproc) CPUs; user $(id -un)"
	echo "tools:   $(versions)"
	echo "wall time of the whole command, $runs runs each after $warmup warm-up rounds, interleaved"
	echo "(rl-img and podman-img: the same busybox as the image rl-test/busybox, already pulled;"
	echo "-net: the same on the default network, slirp4netns, instead of --network none;"
	echo "-base: rl and rl-img with the base build, RL_BENCH_BASE, and a store of its own)"
	((${#only[@]} == 0)) || echo "(RL_BENCH_ONLY: these tools alone; no pull, network or lifecycle benchmarks)"
	echo
	table times ms "${tools[@]}"
	echo
	echo "commands (ROOT: the busybox root filesystem, WORK: this run's temporary directory,"
	echo "REGISTRY: the local registry's 127.0.0.1:PORT, BASE: the base build's directory)"
	commands "${benched[@]}"
	echo
	printf '%-19s %6s  %-8s %s\n' ratio value target result
	ratio rl/bwrap rl bwrap 1.5
	ratio rl/runc rl runc ""
	ratio rl/podman rl podman 0.1
	ratio rl-img/podman-img rl-img podman-img 0.08
	ratio rl-img/rl rl-img rl 1.5
	ratio rl/rl-base rl rl-base 1.05
	ratio rl-img/rl-img-base rl-img rl-img-base 1.05
	if selected rl rl-unconfined; then
		echo
		printf '%-28s %9s  %-10s %s\n' "added by seccomp" value target result
		difference "rl - rl-unconfined" rl rl-unconfined 1
	fi
	if selected rl-img-net rl-img || selected podman-img-net podman-img; then
		echo
		printf '%-28s %9s  %-10s %s\n' "added by the network" value target result
		selected rl-img-net rl-img && difference "rl-img-net - rl-img" rl-img-net rl-img 30
		selected podman-img-net podman-img && difference "podman-img-net - podman-img" podman-img-net podman-img ""
	fi
	echo
	echo "peak RSS of rl"
	if [[ -n $rss_whole ]]; then
		echo "  whole rl run, largest single process (GNU time %M, median of 5 runs): $(mb "$rss_whole")"
	else
		echo "  whole rl run: unavailable: /usr/bin/time is not installed (package time)"
	fi
	echo "  rl front end alone (VmHWM while the command runs; run with --init -i): $(mb "$rss_front")"
	echo "  rl-init alone (VmHWM as PID 1 after its setup; same run):             $(mb "$rss_init")"
	((${#only[@]} == 0)) || return 0 # no pulls, no network
	echo
	echo
	echo "rl pull benchmark: pull rl-test/big (5 layers, $(mb "${big_kb:-}") compressed) from the local registry into an empty store"
	echo "wall time of the whole command, $pull_runs runs each after one untimed trial run, interleaved;"
	echo "after each pull (untimed) its store is removed and sync writes back what it left"
	echo
	table times ms "${pull_tools[@]}"
	echo
	echo "commands"
	commands "${pulled[@]}"
	echo
	# The faster peer: podman unless skopeo has the smaller median.
	local faster=skopeo-pull
	awk -v s="${median[skopeo-pull]:-}" -v p="${median[podman-pull]:-}" \
		'BEGIN { exit !(s == "" || p != "" && p + 0 <= s + 0) }' && faster=podman-pull
	printf '%-19s %6s  %-8s %s\n' ratio value target result
	ratio "rl-pull/$faster" rl-pull "$faster" 1.0
	echo
	echo "peak RSS while pulling (trial run): the whole process tree, summed (RSS of each process, shared"
	echo "pages counted in each; sampled every 20 ms, so a shorter peak can be missed), and its largest"
	echo "single process (GNU time %M, which counts only that one)"
	local tool
	for tool in "${pull_tools[@]}"; do
		[[ -z ${why[$tool]:-} ]] || continue
		printf '  %-12s tree %10s   largest process %10s\n' "$tool" \
			"$(mb "${rss_tree[$tool]:-}")" "$(mb "${rss_largest[$tool]:-}")"
	done
	echo
	echo
	echo "rl network benchmark: TCP throughput through slirp4netns, iperf3 -t $net_time, a server for one test"
	echo "in:  host -> container: client on the host, server in the container behind -p 127.0.0.1:PORT:5201"
	echo "     (rl: rootlesskit's builtin port driver; podman: its rootlesskit port handler)"
	echo "out: container -> host: client in the container, server on the host's 127.0.0.1, reached"
	echo "     through the gateway 10.0.2.2 with --network slirp4netns:allow_host_loopback=true"
	echo "throughput as the receiver counts it (iperf3's sum_received), $net_runs runs each after one"
	echo "untimed trial run, interleaved"
	echo
	table rates Mbit/s "${net_tools[@]}"
	if ((${#net_benched[@]})); then
		echo
		echo "commands (PORT: a port that is free, another each run; the in-client runs with the"
		echo "in tools, the out-server with the out tools)"
		commands "${net_benched[@]}" in-client out-server
	fi
	echo
	printf '%-19s %6s  %-8s %s\n' ratio value target result
	ratio rl-in/podman-in rl-in podman-in ">=1.0"
	ratio rl-out/podman-out rl-out podman-out ">=1.0"
}

# ratio prints TOOL's median over PEER's, against TARGET if there is one:
# at most LIMIT (a time), or, written >=LIMIT, at least LIMIT (a
# throughput). Either median may be missing.
ratio() { # ratio NAME TOOL PEER [LIMIT|>=LIMIT]
	local limit=${4:-} op="<="
	selected "$2" "$3" || return 0
	[[ $limit != ">="* ]] || op=">="
	limit=${limit#>=}
	local target=${limit:+$op $limit}
	if [[ -z ${median[$2]:-} || -z ${median[$3]:-} ]]; then
		printf '%-19s %6s  %-8s %s\n' "$1" - "${target:--}" "no result"
		return
	fi
	awk -v name="$1" -v rl="${median[$2]}" -v peer="${median[$3]}" -v limit="$limit" -v op="$op" \
		-v target="${target:--}" 'BEGIN {
		r = rl / peer
		result = limit == "" ? "(no target)" : ((op == "<=" ? r <= limit : r >= limit) ? "PASS" : "MISS")
		printf "%-19s %6.3f  %-8s %s\n", name, r, target, result
	}'
}

# difference prints TOOL's median minus BASE's, in ms, against at most
# LIMIT ms if there is a LIMIT. Either median may be missing.
difference() { # difference NAME TOOL BASE LIMIT
	local target=${4:+<= +$4 ms}
	if [[ -z ${median[$2]:-} || -z ${median[$3]:-} ]]; then
		printf '%-28s %9s  %-10s %s\n' "$1" - "${target:--}" "no result"
		return
	fi
	awk -v name="$1" -v t="${median[$2]}" -v base="${median[$3]}" -v limit="$4" -v target="${target:--}" 'BEGIN {
		d = t - base
		result = limit == "" ? "(no target)" : (d <= limit ? "PASS" : "MISS")
		printf "%-28s %+6.1f ms  %-10s %s\n", name, d, target, result
	}'
}

main() {
	select_tools
	if [[ $(id -u) == 0 ]]; then
		stage_and_rerun
		return
	fi
	[[ -x $top/bin/rl && -x $top/bin/rl-init ]] || die "bin/rl or bin/rl-init missing: run make build"
	make_workdir
	note "setting up in $work"
	setup_rootfs
	local tool
	for tool in rl-img rl-img-base podman-img; do
		wanted "$tool" || continue
		setup_registry # for the pulls too, without RL_BENCH_ONLY
		break
	done
	setup_rl # always: rl's memory is measured on its command
	! wanted rl-unconfined || setup_rl-unconfined
	for tool in rl-base rl-img rl-img-base rl-img-net bwrap runc podman podman-img podman-img-net; do
		! wanted "$tool" || "setup_$tool"
	done
	((${#only[@]})) || setup_net
	for tool in "${tools[@]}"; do
		[[ -n ${why[$tool]:-} ]] || benched+=("$tool")
	done
	bench "$warmup" "$runs" : "${benched[@]}"
	measure_rss_whole
	measure_rss_split
	if ((${#only[@]})); then
		report
		return "$failed"
	fi
	setup_pulls
	((${#pulled[@]} == 0)) || bench 0 "$pull_runs" wipe_pulls "${pulled[@]}"
	((${#net_benched[@]} == 0)) || bench 0 "$net_runs" record_rate "${net_benched[@]}"
	report
	local podman_lifecycle=()
	[[ -n ${why[podman]:-} ]] || podman_lifecycle=("$podman_image" "${podman_global[@]}" "${podman_runtime[@]}")
	"$here/lifecycle.sh" "$root" "${podman_lifecycle[@]}" || failed=1
	"$here/scale.sh" "$root" || failed=1
	"$here/networks.sh" "$root" "${podman_lifecycle[@]}" || failed=1
	return "$failed"
}

main "$@"

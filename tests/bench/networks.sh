#!/usr/bin/env bash
# bench/networks.sh ROOT [PODMAN-IMAGE PODMAN-ARGS...]: user-defined
# networks, run as the unprivileged user (by run.sh, after scale.sh), on
# its busybox root filesystem ROOT and, when podman is there, the same
# files imported as PODMAN-IMAGE into podman's storage of PODMAN-ARGS:
#
#   start-up   rl run --rm --network none ROOT /bin/true next to the same on
#              a network that a running container holds already (the
#              rootless netns exists: what each start adds is netavark's
#              setup and teardown), and podman's two (RL_BENCH_NET_STARTS,
#              15, interleaved)
#   iperf3     from one container to another on one network, rl's and
#              podman's (RL_BENCH_NET_RUNS, 3, -t RL_BENCH_NET_TIME, 5)
#
# Medians and targets: the start-up rl adds by joining a network <= podman's
# and <= 30 ms; the throughput >= 1.0x podman's. A MISS is informational.
# Exit status non-zero when rl failed. Everything it made is removed.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
root=$1
podman_image=${2:-}
podman_args=("${@:3}")
starts=${RL_BENCH_NET_STARTS:-15}
iperf_runs=${RL_BENCH_NET_RUNS:-3}
iperf_time=${RL_BENCH_NET_TIME:-5}

store=$(mktemp -d "${TMPDIR:-/tmp}/rl-networks.XXXXXX")
rl() { "$top/bin/rl" --root "$store/root" --runroot "$store/run" "$@"; }
pm() { podman "${podman_args[@]}" "$@"; }
net=rlbench
cleanup() {
	rl rm -af -t 0 >/dev/null 2>&1 || true
	if [[ -n $podman_image ]]; then
		pm rm -f -t 0 rlbench-keep rlbench-srv >/dev/null 2>&1 || true
		pm network rm -f "$net" >/dev/null 2>&1 || true
		pm rmi "$iperf_image" >/dev/null 2>&1 || true
	fi
	rm -rf "$store" 2>/dev/null || chmod -R u+rwX "$store" && rm -rf "$store"
}
iperf_image=localhost/rl-bench-net-iperf3:latest
trap cleanup EXIT

now_us() { echo "${EPOCHREALTIME/./}"; }
declare -A times=() # tool → space-separated run times in ms, or rates in Gbit/s

timed() { # timed TOOL CMD...: run CMD, adding its wall time to TOOL's
	local tool=$1 t0 t1
	shift
	t0=$(now_us)
	"$@" >/dev/null
	t1=$(now_us)
	times[$tool]+="$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f", d / 1000 }') "
}
median() { tr ' ' '\n' <<<"${times[$1]:-}" | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "# networks: $starts start-ups on a network and none, $iperf_runs iperf3 runs between two containers" >&2
rl network create "$net" >/dev/null
rl run -d --name keep --network "$net" --rootfs "$root" sleep 1000 >/dev/null
if [[ -n $podman_image ]]; then
	pm network create "$net" >/dev/null
	pm run -d --name rlbench-keep --network "$net" "$podman_image" sleep 1000 >/dev/null
fi
rl run --rm --network "$net" --rootfs "$root" true # untimed trial runs
for ((i = 0; i < starts; i++)); do
	timed rl-none rl run --rm --network none --rootfs "$root" true
	timed rl-net rl run --rm --network "$net" --rootfs "$root" true
	if [[ -n $podman_image ]]; then
		timed podman-none pm run --rm --network none "$podman_image" true
		timed podman-net pm run --rm --network "$net" "$podman_image" true
	fi
done

# iperf3: the server in one container, the client in another, by name.
iperf_root=$store/iperf-root
if command -v iperf3 >/dev/null && command -v jq >/dev/null; then
	"$top/tests/mkrootfs.sh" "$iperf_root" >/dev/null
	"$here/mkiperfroot.sh" "$iperf_root" >/dev/null
	if [[ -n $podman_image ]]; then
		tar -C "$iperf_root" -cf "$store/iperf-root.tar" .
		pm import "$store/iperf-root.tar" "$iperf_image" >/dev/null
	fi
	rate() { jq '.end.sum_received.bits_per_second / 1e9'; }
	listening() { # listening rl|pm CTR: wait (at most 20 s) until iperf3 listens in CTR
		local j
		for ((j = 0; j < 400; j++)); do
			"$1" exec "$2" netstat -ltn | grep -q ':5201 ' && return 0
			sleep 0.05
		done
		echo "bench: the iperf3 server in $2 never listened" >&2
		return 1
	}
	for ((i = 0; i < iperf_runs; i++)); do
		rl run -d --name srv --network "$net" --rootfs "$iperf_root" /usr/bin/iperf3 -s -1 >/dev/null
		listening rl srv
		times[rl-iperf]+="$(rl run --rm --network "$net" --rootfs "$iperf_root" /usr/bin/iperf3 -c srv -t "$iperf_time" -J | rate) "
		rl rm -f -t 0 srv >/dev/null
		if [[ -n $podman_image ]]; then
			pm run -d --name rlbench-srv --network "$net" "$iperf_image" /usr/bin/iperf3 -s -1 >/dev/null
			listening pm rlbench-srv
			times[podman-iperf]+="$(pm run --rm --network "$net" "$iperf_image" /usr/bin/iperf3 -c rlbench-srv -t "$iperf_time" -J | rate) "
			pm rm -f -t 0 rlbench-srv >/dev/null
		fi
	done
else
	echo "# networks: iperf3 or jq is not installed (tests/setup.sh bench installs them): no throughput" >&2
fi

echo
echo "networks (medians: start-up in ms, iperf3 in Gbit/s)"
printf '%-14s %9s\n' tool median
for t in rl-none rl-net podman-none podman-net rl-iperf podman-iperf; do
	[[ -n ${times[$t]:-} ]] && printf '%-14s %9.2f\n' "$t" "$(median "$t")"
done
echo
printf '%-26s %8s  %-12s %s\n' measure value target result
verdict() { awk -v v="$2" -v lim="$3" -v name="$1" -v target="$4" -v at_least="${5:-}" 'BEGIN {
	printf "%-26s %8.2f  %-12s %s\n", name, v, target, ((at_least ? v >= lim : v <= lim) ? "PASS" : "MISS") }'; }
rl_added=$(awk -v a="$(median rl-net)" -v b="$(median rl-none)" 'BEGIN { print a - b }')
verdict "rl: joining a network" "$rl_added" 30 "<= +30 ms"
if [[ -n $podman_image ]]; then
	podman_added=$(awk -v a="$(median podman-net)" -v b="$(median podman-none)" 'BEGIN { print a - b }')
	verdict "rl added / podman added" "$(awk -v a="$rl_added" -v b="$podman_added" 'BEGIN { print a / b }')" 1 "<= 1.0x"
	[[ -z ${times[rl-iperf]:-} ]] ||
		verdict "iperf3 rl / podman" "$(awk -v a="$(median rl-iperf)" -v b="$(median podman-iperf)" 'BEGIN { print a / b }')" 1 ">= 1.0x" 1
else
	echo "podman: unavailable, no ratios"
fi

#!/usr/bin/env bash
# bench/lifecycle.sh ROOT [PODMAN-IMAGE PODMAN-ARGS...]: the lifecycle
# part of `make bench`, run by run.sh as the unprivileged user, after its
# own benchmarks, on its busybox root filesystem ROOT and, when podman is
# there, the same files imported as PODMAN-IMAGE into podman's storage of
# the run (PODMAN-ARGS: its --root, --runroot and the like):
#
#   cycle   rl run -d --network none --rootfs ROOT sleep 1000, then
#           rl rm -f; podman run -d --network none IMAGE sleep 1000, then
#           podman rm -f -t 0 (RL_BENCH_CYCLES, 20, interleaved)
#   exec    rl exec CTR true next to podman exec CTR true, one running
#           container each (RL_BENCH_EXECS, 30, interleaved)
#   ps      rl ps with 50 running detached containers (RL_BENCH_PS, 20)
#   rss     the monitors' resident memory over those 50 containers (and
#           their proportional share, PSS), next to conmon's RSS for
#           podman's exec container
#
# Medians, ratios and targets (cycle and exec <= 0.1x podman, rl ps with 50
# containers <= 50 ms, monitor RSS <= 4 MB a container) go to stdout,
# informational; the exit status is 1 when rl failed.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
root=$1
shift
podman_image=${1:-}
podman_args=("${@:2}")
cycles=${RL_BENCH_CYCLES:-20}
execs=${RL_BENCH_EXECS:-30}
ps_runs=${RL_BENCH_PS:-20}

store=$(mktemp -d "${TMPDIR:-/tmp}/rl-lifecycle.XXXXXX")
rl() { "$top/bin/rl" --root "$store/root" --runroot "$store/run" "$@"; }
pm() { podman "${podman_args[@]}" "$@"; }
cleanup() {
	local ids
	ids=$(rl ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086 # one id a word
	[[ -z $ids ]] || rl rm -f $ids >/dev/null 2>&1 || true
	if [[ -n $podman_image ]]; then pm rm -f -t 0 -a >/dev/null 2>&1 || true; fi
	rm -rf "$store" 2>/dev/null || chmod -R u+rwX "$store" && rm -rf "$store"
}
trap cleanup EXIT

now_us() { echo "${EPOCHREALTIME/./}"; }
declare -A times=() # tool → space-separated run times in ms

# timed TOOL CMD...: run CMD, adding its wall time to TOOL's.
timed() {
	local tool=$1 t0 t1
	shift
	t0=$(now_us)
	"$@" >/dev/null
	t1=$(now_us)
	times[$tool]+="$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f", d / 1000 }') "
}

median() { tr ' ' '\n' <<<"${times[$1]:-}" | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

cycle_rl() { rl rm -f "$(rl run -d --network none --rootfs "$root" sleep 1000)"; }
cycle_podman() { pm rm -f -t 0 "$(pm run -d --network none "$podman_image" sleep 1000)"; }

echo "# lifecycle: $cycles run -d/rm -f cycles, $execs execs, rl ps of 50 containers ($ps_runs runs)" >&2
cycle_rl >/dev/null # untimed trial runs
[[ -z $podman_image ]] || cycle_podman >/dev/null
for ((i = 0; i < cycles; i++)); do
	timed rl-cycle cycle_rl
	[[ -z $podman_image ]] || timed podman-cycle cycle_podman
done

rl run -d --name ex --network none --rootfs "$root" sleep 1000 >/dev/null
[[ -z $podman_image ]] || pm run -d --name ex --network none "$podman_image" sleep 1000 >/dev/null
for ((i = 0; i < execs; i++)); do
	timed rl-exec rl exec ex true
	[[ -z $podman_image ]] || timed podman-exec pm exec ex true
done
conmon_kb=""
if [[ -n $podman_image ]]; then
	conmon_kb=$(pgrep -u "$(id -u)" -x conmon | while read -r p; do awk '/^VmRSS/ { print $2 }' "/proc/$p/status"; done | sort -n | tail -1)
fi
rl rm -f ex >/dev/null

for ((i = 0; i < 50; i++)); do
	rl run -d --network none --rootfs "$root" sleep 1000 >/dev/null
done
for ((i = 0; i < ps_runs; i++)); do
	timed rl-ps rl ps
done
[[ $(rl ps -q | wc -l) == 50 ]] || {
	echo "bench: rl ps does not list the 50 containers" >&2
	exit 1
}
# mean_kb FIELD FILE: the mean of FIELD (kB) in /proc/PID/FILE over the
# monitors.
mean_kb() {
	pgrep -u "$(id -u)" -f "^rl monitor " | while read -r p; do awk -v f="$1:" '$1 == f { print $2 }' "/proc/$p/$2"; done |
		awk '{ s += $1; n++ } END { if (n) printf "%.0f", s / n }'
}
monitor_kb=$(mean_kb VmRSS status)
# PSS shares the pages of the rl binary, which every monitor maps, among
# them: what each container adds.
monitor_pss_kb=$(mean_kb Pss smaps_rollup)

echo
echo "lifecycle (medians, ms)"
printf '%-14s %9s\n' tool median
for t in rl-cycle podman-cycle rl-exec podman-exec rl-ps; do
	[[ -n ${times[$t]:-} ]] && printf '%-14s %9.1f\n' "$t" "$(median "$t")"
done
echo
printf '%-22s %8s  %-9s %s\n' measure value target result
verdict() { awk -v v="$2" -v lim="$3" -v name="$1" -v target="$4" 'BEGIN {
	printf "%-22s %8.3f  %-9s %s\n", name, v, target, (v <= lim ? "PASS" : "MISS") }'; }
if [[ -n $podman_image ]]; then
	verdict rl-cycle/podman-cycle "$(awk -v a="$(median rl-cycle)" -v b="$(median podman-cycle)" 'BEGIN { print a / b }')" 0.1 "<= 0.1"
	verdict rl-exec/podman-exec "$(awk -v a="$(median rl-exec)" -v b="$(median podman-exec)" 'BEGIN { print a / b }')" 0.1 "<= 0.1"
else
	echo "podman: unavailable, no ratios"
fi
verdict "rl ps, 50 containers" "$(median rl-ps)" 50 "<= 50 ms"
verdict "monitor RSS (MB)" "$(awk -v k="$monitor_kb" 'BEGIN { print k / 1024 }')" 4 "<= 4 MB"
printf '%-22s %8.3f\n' "monitor PSS (MB)" "$(awk -v k="$monitor_pss_kb" 'BEGIN { print k / 1024 }')"
[[ -z $conmon_kb ]] || printf '%-22s %8.3f\n' "conmon RSS (MB)" "$(awk -v k="$conmon_kb" 'BEGIN { print k / 1024 }')"

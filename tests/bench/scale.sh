#!/usr/bin/env bash
# bench/scale.sh [ROOT]: whether rl's everyday commands stay flat as the
# store fills up, run as the unprivileged user (by run.sh, after
# lifecycle.sh, on its busybox root filesystem ROOT; on its own, with a
# ROOT that mkrootfs.sh makes when none is given). Two stores:
#
#   small   one running container (run -d --network none ROOT sleep 1000)
#   large   RL_BENCH_SCALE_CREATED (500) created containers (create
#           --network none ROOT /bin/true) and RL_BENCH_SCALE_RUNNING (100)
#           running ones, made as the small store's
#
# and in each, interleaved round-robin over the commands and the two
# stores, RL_BENCH_SCALE_RUNS (20) timed runs after one untimed round of
#
#   ps          rl ps
#   ps-a        rl ps -a
#   run-rm      rl run --rm --network none --rootfs ROOT /bin/true
#   exec        rl exec CTR true, CTR a running container (the newest)
#   create-rm   rl rm CTR after CTR=$(rl create --network none --rootfs ROOT /bin/true)
#
# It prints each command's median wall time in both stores and their ratio,
# large over small, against the target (<= 1.2x: a command must not pay for
# the containers it is not asked about), and rl ps of the large store's
# running containers against its own (<= 50 ms); a MISS is informational.
# Then what each container that ps and ps -a list adds to them (what that
# is made of: docs/internal.md, "The active index").
# Exit status non-zero when rl failed. Every container is removed on exit.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
created=${RL_BENCH_SCALE_CREATED:-500}
running=${RL_BENCH_SCALE_RUNNING:-100}
runs=${RL_BENCH_SCALE_RUNS:-20}
commands=(ps ps-a run-rm exec create-rm)
stores=(small large)

work=$(mktemp -d "${TMPDIR:-/tmp}/rl-scale.XXXXXX")
root=${1:-$work/rootfs}
rl_in() { # rl_in STORE ARGS...: rl on that store
	local s=$1
	shift
	"$top/bin/rl" --root "$work/$s/root" --runroot "$work/$s/run" "$@"
}
cleanup() {
	local status=$? s
	for s in "${stores[@]}"; do
		[[ ! -d $work/$s ]] || rl_in "$s" rm -af -t 0 >/dev/null 2>&1 || echo "# scale: could not remove the $s store's containers" >&2
	done
	rm -rf "$work" 2>/dev/null || { chmod -R u+rwX "$work" && rm -rf "$work"; }
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[[ -n ${1:-} ]] || "$top/tests/mkrootfs.sh" "$root"

# fill STORE CREATED RUNNING: make the containers, the running ones last,
# and set ctr[STORE] to the newest, for exec.
declare -A ctr=()
fill() {
	local i
	for ((i = 0; i < $2; i++)); do
		rl_in "$1" create --network none --rootfs "$root" /bin/true >/dev/null
	done
	for ((i = 0; i < $3; i++)); do
		ctr[$1]=$(rl_in "$1" run -d --network none --rootfs "$root" sleep 1000)
	done
}

now_us() { echo "${EPOCHREALTIME/./}"; }
declare -A times=() # command.store → space-separated run times in ms

# one COMMAND STORE: run COMMAND once in STORE.
one() {
	case $1 in
	ps) rl_in "$2" ps ;;
	ps-a) rl_in "$2" ps -a ;;
	run-rm) rl_in "$2" run --rm --network none --rootfs "$root" /bin/true ;;
	exec) rl_in "$2" exec "${ctr[$2]}" true ;;
	create-rm) rl_in "$2" rm "$(rl_in "$2" create --network none --rootfs "$root" /bin/true)" ;;
	esac
}

# timed COMMAND STORE: run it, adding its wall time to its times.
timed() {
	local t0 t1
	t0=$(now_us)
	one "$1" "$2" >/dev/null
	t1=$(now_us)
	times[$1.$2]+="$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f", d / 1000 }') "
}

median() { tr ' ' '\n' <<<"${times[$1]:-}" | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "# scale: filling the stores (1 running; $created created + $running running)" >&2
fill small 0 1
fill large "$created" "$running"
[[ $(rl_in large ps -q | wc -l) == "$running" ]] || {
	echo "bench: rl ps of the large store does not list its $running running containers" >&2
	exit 1
}
echo "# scale: $runs runs of ${commands[*]} in each store, interleaved" >&2
for c in "${commands[@]}"; do
	for s in "${stores[@]}"; do
		one "$c" "$s" >/dev/null # untimed round
	done
done
for ((i = 0; i < runs; i++)); do
	for c in "${commands[@]}"; do
		for s in "${stores[@]}"; do
			timed "$c" "$s"
		done
	done
done

echo
echo "scale: the same commands in a store of 1 running container (small) and of $created created +"
echo "$running running ones (large); medians of $runs interleaved runs, ms"
printf '%-10s %8s %8s %7s  %-8s %s\n' command small large ratio target result
for c in "${commands[@]}"; do
	awk -v c="$c" -v a="$(median "$c.small")" -v b="$(median "$c.large")" 'BEGIN {
		r = b / a
		printf "%-10s %8.1f %8.1f %7.3f  %-8s %s\n", c, a, b, r, "<= 1.2", (r <= 1.2 ? "PASS" : "MISS") }'
done
awk -v n="$running" -v v="$(median ps.large)" 'BEGIN {
	printf "%-30s %6.1f ms  %-9s %s\n", "rl ps, " n " running of the large", v, "<= 50 ms", (v <= 50 ? "PASS" : "MISS") }'
# What a listing pays for each container it shows: rl ps and ps -a read and
# decode each listed container's state, and check a running one's monitor.
echo
awk -v ps="$(median ps.large) $(median ps.small) $running" -v all="$(median ps-a.large) $(median ps-a.small) $((created + running))" 'BEGIN {
	split(ps, p); split(all, a)
	printf "each listed container costs: rl ps %.1f us (running), rl ps -a %.1f us (of either)\n",
		(p[1] - p[2]) * 1000 / (p[3] - 1), (a[1] - a[2]) * 1000 / (a[3] - 1) }'

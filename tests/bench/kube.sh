#!/usr/bin/env bash
# bench/kube.sh: rl kube play of a pod of three containers (and its kube
# down) next to podman kube play (and down) of the same YAML, on the same
# busybox root filesystem imported as an image into each one's storage of
# its own, with --network none. It prints the median wall time of
# RL_BENCH_KUBE_RUNS (10) of each, and the ratio against the target
# (rl kube play <= 0.2x podman kube play; informational).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
rl_bin=${RL_BIN:-$top/bin/rl}
runs=${RL_BENCH_KUBE_RUNS:-10}
work=$(mktemp -d /tmp/rl-kube-bench.XXXXXX)
podman_global=(--root "$work/pd" --runroot "$work/pr" --cgroup-manager cgroupfs --events-backend file)
cleanup() {
	podman "${podman_global[@]}" kube down "$work/pod.yaml" >/dev/null 2>&1 || true
	podman "${podman_global[@]}" system reset --force >/dev/null 2>&1 || true
	rl kube down "$work/pod.yaml" >/dev/null 2>&1 || true
	unshare --map-root-user --map-auto rm -rf "$work" 2>/dev/null || rm -rf "$work"
}
trap cleanup EXIT
rl() { "$rl_bin" --root "$work/rl" --runroot "$work/rlr" "$@"; }
now_ms() { date +%s%3N; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

image=localhost/rl-bench-busybox:latest
"$top/tests/mkrootfs.sh" "$work/root" >/dev/null
tar -C "$work/root" -cf "$work/root.tar" .
rl import -q "$work/root.tar" "$image" >/dev/null
have_podman=1
podman "${podman_global[@]}" import -q "$work/root.tar" "$image" >/dev/null 2>&1 || have_podman=0
{
	echo "apiVersion: v1"
	echo "kind: Pod"
	echo "metadata: {name: bench}"
	echo "spec:"
	echo "  containers:"
	for c in a b c; do
		echo "  - {name: $c, image: $image, command: [/bin/sleep, '1000']}"
	done
} >"$work/pod.yaml"

# time_cycles TOOL CMD...: run CMD kube play and kube down RUNS times,
# appending each one's wall time to $work/TOOL-play and $work/TOOL-down.
time_cycles() {
	local tool=$1 t0 t1 t2
	shift
	"$@" kube play --network none "$work/pod.yaml" >/dev/null # untimed trial
	"$@" kube down "$work/pod.yaml" >/dev/null
	for ((i = 0; i < runs; i++)); do
		t0=$(now_ms)
		"$@" kube play --network none "$work/pod.yaml" >/dev/null
		t1=$(now_ms)
		"$@" kube down "$work/pod.yaml" >/dev/null
		t2=$(now_ms)
		echo $((t1 - t0)) >>"$work/$tool-play"
		echo $((t2 - t1)) >>"$work/$tool-down"
	done
}

time_cycles rl rl
((have_podman)) && time_cycles podman podman "${podman_global[@]}"
echo "# kube: $runs plays and downs of a 3-container pod, medians in ms"
for what in play down; do
	r=$(median <"$work/rl-$what")
	if ((have_podman)); then
		p=$(median <"$work/podman-$what")
		ratio=$(awk -v r="$r" -v p="$p" 'BEGIN { printf "%.2f", r / p }')
		verdict=""
		[[ $what == play ]] && verdict=$(awk -v x="$ratio" 'BEGIN { print (x <= 0.2 ? " (target <= 0.2x: ok)" : " (target <= 0.2x: MISS)") }')
		echo "kube $what: rl $r ms, podman $p ms: ${ratio}x$verdict"
	else
		echo "kube $what: rl $r ms (podman: could not import the image; no comparison)"
	fi
done

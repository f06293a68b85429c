#!/usr/bin/env bats
# A benchmark, run in the VM tier by `make bench` (tests/vm/run.sh
# tests/bench/vm-cgroups.bats), not a test: it asserts only that every run
# succeeded, and prints the start latency that resource limits add, as
# "# ..." lines. Target (issue 5): at most 15 ms over --cgroup-manager none.

load helpers

# ms: the milliseconds between two $EPOCHREALTIME readings.
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

@test "start latency: --memory 64m --cpus 1 --pids-limit 100 vs --cgroup-manager none, 30 runs each, interleaved" {
	runs=${RL_BENCH_VM_RUNS:-30}
	for _ in 1 2 3; do # warm-up
		rl run --rm --network none --rootfs "$ROOTFS" true
	done
	for _ in $(seq "$runs"); do
		t0=$EPOCHREALTIME
		rl run --rm --network none --memory 64m --cpus 1 --pids-limit 100 --rootfs "$ROOTFS" true
		t1=$EPOCHREALTIME
		rl run --rm --network none --cgroup-manager none --rootfs "$ROOTFS" true
		t2=$EPOCHREALTIME
		ms "$t0" "$t1" >>"$BATS_TEST_TMPDIR/limits"
		ms "$t1" "$t2" >>"$BATS_TEST_TMPDIR/none"
	done
	with=$(median <"$BATS_TEST_TMPDIR/limits")
	without=$(median <"$BATS_TEST_TMPDIR/none")
	awk -v w="$with" -v n="$without" -v runs="$runs" 'BEGIN {
		printf "# rl run median in the VM (TCG, %d runs each): with limits %.1f ms, --cgroup-manager none %.1f ms\n", runs, w, n
		printf "# overhead %.1f ms (target <= 15 ms: %s), ratio %.3f\n", w - n, (w - n <= 15 ? "PASS" : "MISS"), w / n
	}' >&3
}

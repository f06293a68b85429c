#!/usr/bin/env bats
# rl kube play's requests and limits in real cgroup files, in the VM tier
# (systemd as PID 1, pure cgroup v2, the user's manager with cpu, memory
# and pids delegated): each container's cpu.weight, cpu.max, memory.max
# and oom_score_adj, the pod's slice with the kubelet's sums, and the
# share a weight gives under contention. The host suite tests/kube.bats
# checks the plan (--dry-run) of the same formulas.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export ROOTFS="$BATS_FILE_TMPDIR/rootfs"
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$ROOTFS"
	tar -C "$ROOTFS" -cf "$BATS_FILE_TMPDIR/rootfs.tar" .
}

teardown() {
	local pods
	pods=$(rl pod ps -q 2>/dev/null) || true
	if [[ -n $pods ]]; then rl pod rm -f $pods >/dev/null 2>&1 || true; fi
	assert_nothing_left
	[[ -z $(systemctl --user list-units --plain --no-legend 'rl-pod-*.slice' | grep -v inactive) ]] || fail "pod slices left: $(systemctl --user list-units --plain --no-legend 'rl-pod-*.slice')"
	# The image's layers belong to subordinate ids: removed from a user
	# namespace, as rl removes containers.
	unshare --map-root-user --map-auto rm -rf "$RL_TEST_ROOT"
}

# report ROW...: lines of the table in the TAP output (what was read).
report() {
	printf '# %s\n' "$@" >&3
}

# play YAML: import the busybox image and play YAML (with --network none).
# The guest has no policy.json: the import's own accepts the tarball.
play() {
	mkdir -p "$BATS_TEST_TMPDIR/config/containers"
	echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$BATS_TEST_TMPDIR/config/containers/policy.json"
	run env XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config" "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" import -q "$BATS_FILE_TMPDIR/rootfs.tar" localhost/busybox
	expect_status 0
	printf '%s\n' "$1" >"$BATS_TEST_TMPDIR/pod.yaml"
	run rl kube play --network none "$BATS_TEST_TMPDIR/pod.yaml"
	expect_status 0
}

# slice POD: the cgroup directory of the pod's slice.
slice() {
	local id
	id=$(rl pod inspect --format '{{.ID}}' "$1")
	echo "/sys/fs/cgroup$(systemctl --user show -p ControlGroup --value "rl-pod-${id:0:12}.slice")"
}

# values CONTAINER: the cgroup values the container printed when it started.
values() {
	for _ in $(seq 100); do
		run rl logs "$1"
		[[ ${#lines[@]} -ge 4 ]] && break
		sleep 0.1 # the container prints as it starts: a bounded wait
	done
	echo "${lines[*]:0:4}"
}

# The container prints cpu.weight, cpu.max, memory.max and its
# oom_score_adj, then sleeps.
show='["sh", "-c", "cat /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpu.max /sys/fs/cgroup/memory.max /proc/self/oom_score_adj; exec sleep 1000"]'

@test "each container's cgroup files and oom_score_adj, and the pod slices' sums, are the kubelet's" {
	play "apiVersion: v1
kind: Pod
metadata: {name: guar}
spec:
  containers:
  - name: g
    image: localhost/busybox
    command: $show
    resources: {limits: {cpu: 500m, memory: 64Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: burst}
spec:
  containers:
  - name: b
    image: localhost/busybox
    command: $show
    resources: {requests: {cpu: 250m, memory: 32Mi}, limits: {cpu: '1', memory: 128Mi}}
  - name: e
    image: localhost/busybox
    command: $show
---
apiVersion: v1
kind: Pod
metadata: {name: best}
spec:
  containers:
  - name: x
    image: localhost/busybox
    command: $show"
	own=$(cat /proc/self/oom_score_adj)
	total=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))
	# Table: container -> cpu.weight cpu.max(quota period) memory.max oom_score_adj.
	# Guaranteed: 500m -> shares 512 -> weight 20, quota 50000; -997, raised to rl's own.
	[[ $(values guar-g) == "20 50000 100000 67108864 $((own > -997 ? own : -997))" ]] || fail "guar-g: $(values guar-g)"
	# Burstable: 250m -> shares 256 -> weight 10; 1 cpu -> 100000; 1000 - 1000 * 32Mi / memory.
	want=$((1000 - 1000 * 33554432 / total))
	[[ $(values burst-b) == "10 100000 100000 134217728 $((want > own ? want : own))" ]] || fail "burst-b: $(values burst-b), want oom $want"
	# No request in a Burstable pod: weight 1 (shares 2), no limits, 1000 - 0 kept below BestEffort's.
	[[ $(values burst-e) == "1 max 100000 max 999" ]] || fail "burst-e: $(values burst-e)"
	[[ $(values best-x) == "1 max 100000 max 1000" ]] || fail "best-x: $(values best-x)"
	# The pod slices: the sums of their containers' (a limit only when every container has one).
	dir=$(slice guar)
	[[ $(cat "$dir/cpu.weight" "$dir/cpu.max" "$dir/memory.max" | xargs) == "20 50000 100000 67108864" ]] || fail "guar slice $dir: $(cat "$dir/cpu.weight" "$dir/cpu.max" "$dir/memory.max" | xargs)"
	dir=$(slice burst)
	[[ $(cat "$dir/cpu.weight" "$dir/cpu.max" "$dir/memory.max" | xargs) == "10 max 100000 max" ]] || fail "burst slice: $(cat "$dir/cpu.weight" "$dir/cpu.max" "$dir/memory.max" | xargs)"
	[[ $(find "$dir" -maxdepth 1 -name 'rl-*.scope' | wc -l) == 2 ]] || fail "the burst pod's scopes are not in its slice: $(ls "$dir")"
	dir=$(slice best)
	[[ $(cat "$dir/cpu.weight") == 1 ]]
	report "read: guar-g $(values guar-g)" "read: burst-b $(values burst-b)" "read: burst-e $(values burst-e)" "read: best-x $(values best-x)" \
		"read: guar slice $(cat "$(slice guar)"/{cpu.weight,cpu.max,memory.max} | xargs)" \
		"read: burst slice $(cat "$(slice burst)"/{cpu.weight,cpu.max,memory.max} | xargs)" \
		"read: best slice $(cat "$dir"/{cpu.weight,cpu.max,memory.max} | xargs)" "rl's own oom_score_adj $own, memory $total"
	run rl pod inspect --format '{{.QOSClass}}' guar burst best
	[[ $output == "Guaranteed"$'\n'"Burstable"$'\n'"BestEffort" ]] || fail "QoS: $output"
	run rl kube down "$BATS_TEST_TMPDIR/pod.yaml"
	expect_status 0
}

@test "under contention for one CPU, a BestEffort pod gets the share its weight says next to a pod that requests a CPU" {
	loop='["sh", "-c", "taskset -c 0 sh -c \"while :; do :; done\" & sleep 1000"]'
	play "apiVersion: v1
kind: Pod
metadata: {name: busy}
spec:
  containers:
  - name: c
    image: localhost/busybox
    command: $loop
    resources: {requests: {cpu: '1'}}
---
apiVersion: v1
kind: Pod
metadata: {name: idle}
spec:
  containers:
  - name: c
    image: localhost/busybox
    command: $loop"
	busy=$(slice busy) idle=$(slice idle)
	b0=$(awk '/^usage_usec/ { print $2 }' "$busy/cpu.stat") i0=$(awk '/^usage_usec/ { print $2 }' "$idle/cpu.stat")
	sleep 4 # the measurement's window, not a synchronisation
	b1=$(awk '/^usage_usec/ { print $2 }' "$busy/cpu.stat") i1=$(awk '/^usage_usec/ { print $2 }' "$idle/cpu.stat")
	b=$((b1 - b0)) i=$((i1 - i0))
	# Weights 39 (shares 1024) and 1: the BestEffort pod's share is 1/40,
	# 2.5 %; allow up to 10 % (emulation, the sleeps around the loops).
	report "contention: Burstable (1 cpu requested) $b µs, BestEffort $i µs"
	((i * 100 < (b + i) * 10)) || fail "BestEffort got $i µs of $((b + i)) µs"
	((b > 0)) || fail "the busy pod ran $b µs"
	run rl kube down "$BATS_TEST_TMPDIR/pod.yaml"
	expect_status 0
}

@test "rl pod create --cpus --memory: the pod's slice holds the limits, and its containers run in it" {
	run rl pod create --name limited --network none --cpus 1.5 --memory 256m
	expect_status 0
	dir=$(slice limited)
	[[ $(cat "$dir/cpu.max" "$dir/memory.max" | xargs) == "150000 100000 268435456" ]] || fail "slice $dir: $(cat "$dir/cpu.max" "$dir/memory.max" | xargs)"
	run rl run -d --pod limited --name limited-sleeper --rootfs "$ROOTFS" sleep 1000
	expect_status 0
	[[ $(find "$dir" -maxdepth 1 -name 'rl-*.scope' | wc -l) == 1 ]] || fail "no container scope in the pod's slice: $(ls "$dir")"
	run rl pod stats --no-stream limited
	expect_status 0
	[[ ${#lines[@]} == 2 && ${lines[1]} == limited-* ]] || fail "pod stats: $output"
	run rl pod rm -f limited
	expect_status 0
}

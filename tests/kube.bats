#!/usr/bin/env bats
# rl kube play, down and generate: Kubernetes YAML decoded strictly into
# the API types, requests and limits planned as the kubelet computes them
# (--dry-run), pods made from the corpus in tests/kube (the Kubernetes
# documentation's examples, podman 4.3.1's generated YAML), and the round
# trip generate -> play. The cgroup files themselves are checked in the VM
# tier (tests/vm/kube.bats): this machine has no cgroup v2 for a user.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	start_registry
}

teardown_file() {
	stop_registry
}

teardown() {
	local pods
	pods=$(rl pod ps -q 2>/dev/null) || true
	if [[ -n $pods ]]; then rl pod rm -f $pods >/dev/null 2>&1 || true; fi
	remove_all_containers
	assert_nothing_left
	unshare --map-root-user --map-auto rm -rf "$RL_TEST_ROOT" 2>/dev/null || rm -rf "$RL_TEST_ROOT"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# corpus NAME: tests/kube/NAME with the test registry's images, in the
# test's temp dir; prints its path.
corpus() {
	local out=$BATS_TEST_TMPDIR/$(basename "$1")
	sed -e "s#REGISTRY/#$REGISTRY/#g" -e "s#localhost/rl-test/#$REGISTRY/rl-test/#g" "$BATS_TEST_DIRNAME/kube/$1" >"$out"
	echo "$out"
}

# row CONTAINER FILE: the VALUE column of --dry-run's row for CONTAINER's
# cgroup FILE (the first one), from $output.
row() {
	awk -v c="$1" -v f="$2" '$1 == c && $0 ~ " " f " " { split($0, a, "  +"); for (i in a) if (a[i] == f) { print a[i+1]; exit } }' <<<"$output"
}

@test "--dry-run prints the kubelet's values for the documentation's requests and limits" {
	run rl kube play --dry-run "$BATS_TEST_DIRNAME/kube/resources.yaml"
	expect_status 0
	expect_output_has "Pod frontend (document 1, Pod frontend): QoS class Burstable"
	# 250m: shares 256, weight 1 + (256-2)*9999/262142 = 10; 500m: 50000 per 100000.
	[[ $(row app cpu.weight) == 10 ]] || fail "cpu.weight: $(row app cpu.weight)"
	[[ $(row app cpu.max) == "50000 100000" ]] || fail "cpu.max: $(row app cpu.max)"
	[[ $(row app memory.max) == 134217728 ]]
	[[ $(row log-aggregator cpu.weight) == 10 ]]
	# The pod: the sums, as the kubelet sizes its pod cgroup.
	[[ $(row "(pod)" cpu.weight) == 20 ]]
	[[ $(row "(pod)" cpu.max) == "100000 100000" ]]
	[[ $(row "(pod)" memory.max) == 268435456 ]]
	# Burstable: 1000 - 1000 * 64Mi / the machine's memory.
	total=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))
	want=$((1000 - 1000 * 67108864 / total))
	[[ $(row app oom_score_adj) == "$want" ]] || fail "oom_score_adj $(row app oom_score_adj), want $want"
	# Nothing was made.
	run rl pod ps -q
	[[ -z $output ]]
}

@test "--dry-run: the QoS classes, memory QoS, and what rootless cannot do" {
	run rl kube play --dry-run --memory-qos "$BATS_TEST_DIRNAME/kube/qos.yaml"
	expect_status 0
	expect_output_has "Pod qos-demo (document 1, Pod qos-demo): QoS class Guaranteed"
	expect_output_has "Pod qos-demo-2 (document 2, Pod qos-demo-2): QoS class Burstable"
	expect_output_has "Pod qos-demo-3 (document 3, Pod qos-demo-3): QoS class BestEffort"
	[[ $(row qos-demo-ctr cpu.max) == "70000 100000" ]]
	[[ $(row qos-demo-ctr cpu.weight) == 28 ]] # 700m: shares 716
	[[ $(row qos-demo-ctr memory.min) == 209715200 ]]
	[[ $(row qos-demo-ctr memory.high) == max ]] # a limit equal to the request: none
	# 100Mi + 0.9 * (200Mi - 100Mi), in 4096-byte pages.
	[[ $(row qos-demo-2-ctr memory.high) == $(((104857600 + 94371840) / 4096 * 4096)) ]]
	[[ $(row qos-demo-3-ctr cpu.weight) == 1 ]] # no request: the kubelet's minimum shares, 2
	expect_output_has "-997"
	if [[ $(cat /proc/self/oom_score_adj) -gt -997 && $(id -u) != 0 ]]; then
		expect_output_has "rootless cannot go below rl's own"
	fi
	run rl kube play --dry-run "$BATS_TEST_DIRNAME/kube/deployment.yaml"
	expect_status 0
	expect_output_has "Pod nginx-deployment-pod (document 1, Deployment nginx-deployment): QoS class Guaranteed"
	expect_output_has "asks for 3 replicas: rl runs one pod locally"
	expect_output_has "ephemeral-storage is not enforced"
	[[ $(row nginx cpu.max) == "200000 100000" ]]
	[[ $(row nginx memory.max) == 1073741824 ]]
}

@test "malformed YAML is one line naming the document, the field and the reason; nothing is made" {
	local -A want=(
		[unknown-field]="document 1 (Pod): spec.containers[0].resource: unknown field"
		[wrong-type]="document 2 (Pod): spec.containers.ports.containerPort: want an integer, got string"
		[bad-quantity]='document 1 (Pod): spec.containers[0].resources.limits.memory: "1 gigabyte" is not a quantity'
		[unsupported-kind]="document 1 (StatefulSet): kind: rl cannot play apps/v1 StatefulSet"
		[request-over-limit]="document 1 (Pod): spec.containers[0].resources.requests.cpu: 2 is more than the limit 1"
		[duplicate-key]='document 1: yaml: unmarshal errors: line 9: key "image" already set in map'
		[missing-configmap]='document 1 (Pod): spec.volumes[0]: configMap.name: no ConfigMap "missing" in the file'
		[relative-hostpath]='document 1 (Pod): spec.volumes[0]: hostPath.path: "data" is not an absolute path'
	)
	for f in "${!want[@]}"; do
		run rl kube play "$BATS_TEST_DIRNAME/kube/bad/$f.yaml"
		one_line_error
		expect_output_has "rl: $BATS_TEST_DIRNAME/kube/bad/$f.yaml: ${want[$f]}"
		expect_output_has "(hint: "
	done
	run rl kube play - <<<"not: [yaml"
	one_line_error
	expect_output_has "rl: -: document 1: yaml:"
	run rl pod ps -q
	[[ -z $output ]]
	run rl ps -aq
	[[ -z $output ]]
}

@test "init containers run in order before the app container, which serves what they wrote; kube down leaves nothing" {
	file=$(corpus init-containers.yaml)
	run rl kube play -q --tls-verify=false --publish "127.0.0.1:$(free_port):80" "$file"
	expect_status 0
	run rl ps -a --format '{{.Names}} {{.Status}}'
	expect_output_has "init-demo-install Exited (0)"
	expect_output_has "init-demo-second Exited (0)"
	expect_output_has "init-demo-nginx Up"
	run rl exec init-demo-nginx sh -c 'for i in $(seq 100); do wget -qO- http://127.0.0.1:80/ 2>/dev/null && break; sleep 0.1; done'
	expect_status 0
	[[ $output == "first"$'\n'"second" ]] || fail "served: $output"
	run rl pod inspect --format '{{.QOSClass}} {{.NumContainers}}' init-demo
	[[ $output == "BestEffort 4" ]] || fail "pod inspect: $output"
	run rl kube play --tls-verify=false "$file"
	one_line_error
	expect_output_has "a pod named init-demo exists: play with --replace"
	run rl kube down "$file"
	expect_status 0
	[[ ${lines[0]} == "Pods stopped:" && ${lines[2]} == "Pods removed:" ]] || fail "$output"
	run rl pod ps -q
	[[ -z $output ]]
	[[ -z $(ls "$RL_TEST_ROOT/pods" | grep -v '^names$') ]] || fail "pod dirs left: $(ls "$RL_TEST_ROOT/pods")"
}

@test "ConfigMap and Secret as env, envFrom and volumes; podman's output and --start=false" {
	file=$(corpus configmap.yaml)
	run rl kube play -q --tls-verify=false --start=false "$file"
	expect_status 0
	[[ ${lines[0]} == "Pod:" && ${lines[2]} == "Container:" && ${#lines[@]} == 4 ]] || fail "$output"
	run rl ps -a --format '{{.Names}} {{.Status}}' --filter name=dapi-test-pod-test-container
	[[ $output == "dapi-test-pod-test-container Created" ]] || fail "$output"
	run rl start -a dapi-test-pod-test-container
	expect_status 0
	expect_output_has "SPECIAL_LEVEL_KEY=very"
	expect_output_has "CFG_SPECIAL_TYPE=charm"
	expect_output_has "POD_NAME=dapi-test-pod"
	expect_output_has "SPECIAL_LEVEL"$'\n'"SPECIAL_TYPE"$'\n'"charm"$'\n'"s3cret"
	run rl play kube --replace -q --tls-verify=false "$file" # podman's older spelling
	expect_status 0
	# generate writes the ConfigMap and the Secret back.
	run rl generate kube dapi-test-pod
	expect_status 0
	expect_output_has "kind: ConfigMap"
	expect_output_has "SPECIAL_TYPE: charm"
	expect_output_has "kind: Secret"
	expect_output_has "secretName: creds"
	run rl kube play --down "$file"
	expect_status 0
	expect_output_has "Pods removed:"
}

@test "a DirectoryOrCreate hostPath is made; \$(VAR) in env, command and args is expanded as the kubelet expands it" {
	host=$BATS_TEST_TMPDIR/made/here
	cat >"$BATS_TEST_TMPDIR/pod.yaml" <<-EOF
		apiVersion: v1
		kind: Pod
		metadata: {name: expand}
		spec:
		  restartPolicy: Never
		  containers:
		  - name: c
		    image: $REGISTRY/rl-test/busybox
		    env:
		    - {name: WHO, value: world}
		    - {name: GREETING, value: "hello \$(WHO)"}
		    command: ["sh", "-c", "echo '\$(GREETING) \$(NOPE) \$\$(WHO)'; ls -d /host"]
		    volumeMounts: [{name: host, mountPath: /host}]
		  volumes:
		  - name: host
		    hostPath: {path: $host, type: DirectoryOrCreate}
	EOF
	run rl kube play -q --tls-verify=false --start=false "$BATS_TEST_TMPDIR/pod.yaml"
	expect_status 0
	[[ -d $host ]] || fail "$host was not made"
	run rl start -a expand-c
	expect_status 0
	# An unknown variable stays as it is; $$ is one $.
	[[ ${lines[-2]} == 'hello world $(NOPE) $(WHO)' && ${lines[-1]} == /host ]] || fail "$output"
	run rl kube down "$BATS_TEST_TMPDIR/pod.yaml"
	expect_status 0
}

@test "a PersistentVolumeClaim is a named volume that outlives the pod; kube down --force removes it" {
	file=$(corpus pvc.yaml)
	run rl kube play -q --tls-verify=false "$file"
	expect_status 0
	run rl wait task-pv-pod-task-pv-container
	[[ $output == 0 ]] || fail "wait: $output"
	run rl kube down "$file"
	expect_status 0
	run rl volume exists task-pv-claim
	expect_status 0
	run rl kube play -q --tls-verify=false "$file"
	expect_status 0
	rl wait task-pv-pod-task-pv-container
	run rl logs task-pv-pod-task-pv-container
	[[ $output == "run"$'\n'"run" ]] || fail "the volume did not keep the first run's line: $output"
	run rl kube down --force "$file"
	expect_status 0
	expect_output_has "Volumes removed:"$'\n'"task-pv-claim"
	run rl volume exists task-pv-claim
	expect_status 1
}

@test "an exec liveness probe becomes the health check; other probes are warned about" {
	file=$(corpus probes.yaml)
	run rl kube play -q --tls-verify=false "$file"
	expect_status 0
	expect_output_has "readinessProbe ignored: rl runs exec probes only"
	run rl inspect --format '{{.HostConfig.Healthcheck.Cmd}} {{.HostConfig.Healthcheck.Interval}} {{.HostConfig.Healthcheck.Retries}}' liveness-exec-liveness
	[[ $output == "'cat' '/tmp/healthy' 5s 3" ]] || fail "health check: $output"
	run rl kube down "$file"
	expect_status 0
}

@test "limits that this machine cannot enforce are refused, or with best-effort warned about; nothing is left of a refusal" {
	if [[ -e /sys/fs/cgroup/cgroup.controllers && -w /sys/fs/cgroup/$(sed -n 's/^0:://p' /proc/self/cgroup)/cgroup.procs ]]; then
		skip "this machine can enforce limits for $(id -un): the VM tier checks them"
	fi
	file=$(corpus resources.yaml)
	sed -i "s#images.my-company.example/[a-z-]*:v[0-9]#$REGISTRY/rl-test/busybox#" "$file"
	run rl kube play -q --tls-verify=false "$file"
	one_line_error
	expect_output_has "rl: playing pod frontend: cannot enforce the resource limits (the pod's cgroup)"
	run rl pod ps -q
	[[ -z $output ]]
	run rl kube play -q --tls-verify=false --limits best-effort "$file"
	expect_status 0
	expect_output_has "not enforced"
	run rl kube down "$file"
	expect_status 0
	# rl pod create's own limits: refused as well, and nothing made.
	run rl pod create --name limited --cpus 1 --memory 64m
	one_line_error
	expect_output_has "cannot enforce the resource limits (the pod's cgroup)"
	run rl pod ps -q
	[[ -z $output ]]
}

@test "podman 4.3.1's generated YAML plays" {
	file=$(corpus podman-4.3.1/pod.yaml)
	run rl kube play -q --tls-verify=false --publish "127.0.0.1:$(free_port):80" "$file"
	expect_status 0
	run rl ps --format '{{.Names}}'
	expect_output_has "web-server"
	expect_output_has "web-sidecar"
	solo=$(corpus podman-4.3.1/solo.yaml)
	run rl kube play -q --tls-verify=false "$solo"
	expect_status 0
	run rl kube down "$file"
	expect_status 0
	run rl kube down "$solo"
	expect_status 0
}

@test "generate writes rl's flags as requests and limits, and what it writes plays back to the same cgroup values" {
	run rl create -q --tls-verify=false --name web --cpus 0.5 --memory 64m --cpu-shares 512 -e A=b -w /tmp \
		--cap-drop NET_RAW --security-opt no-new-privileges "$REGISTRY/rl-test/busybox" httpd -f -p 80
	expect_status 0
	run rl kube generate web
	expect_status 0
	out=$BATS_TEST_TMPDIR/web.yaml
	printf '%s\n' "$output" >"$out"
	expect_output_has "cpu: 500m"
	expect_output_has "memory: 64Mi"
	expect_output_has "name: web-pod"
	if command -v kubectl >/dev/null; then
		# kubectl reads it as Kubernetes objects, without a cluster.
		run kubectl label --local -f "$out" checked=yes -o name
		expect_status 0
		[[ $output == pod/web-pod ]] || fail "kubectl: $output"
	fi
	run rl kube play --dry-run "$out"
	expect_status 0
	[[ $(row web cpu.max) == "50000 100000" ]] || fail "cpu.max: $(row web cpu.max)"
	[[ $(row web memory.max) == 67108864 ]]
	# --cpu-shares 512 is cpu.weight 20, which requests.cpu 500m gives back.
	[[ $(row web cpu.weight) == 20 ]] || fail "cpu.weight: $(row web cpu.weight)"
	run rl generate kube --type deployment web
	expect_status 0
	expect_output_has "kind: Deployment"
	expect_output_has "name: web-pod-deployment"
	printf '%s\n' "$output" >"$out"
	run rl kube play --dry-run "$out"
	expect_status 0
	expect_output_has "Pod web-pod-deployment-pod (document 1, Deployment web-pod-deployment)"
	run rl rm web
	expect_status 0
}

@test "a played pod generates YAML that plays back; rl pod start runs its init containers first" {
	file=$(corpus init-containers.yaml)
	run rl kube play -q --tls-verify=false --start=false "$file"
	expect_status 0
	run rl kube generate init-demo
	expect_status 0
	out=$BATS_TEST_TMPDIR/gen.yaml
	printf '%s\n' "$output" >"$out"
	expect_output_has "initContainers:"
	expect_output_has "emptyDir: {}"
	[[ $output != *hostPath* ]] || fail "the pod's own directory became a hostPath: $output"
	run rl kube down "$file"
	expect_status 0
	run rl kube play -q --tls-verify=false --start=false "$out"
	expect_status 0
	run rl ps -a --format '{{.Names}}'
	expect_output_has "init-demo-install"
	expect_output_has "init-demo-nginx"
	# rl pod start runs the init containers to completion, in order, first.
	run rl pod start init-demo
	expect_status 0
	run rl exec init-demo-nginx sh -c 'for i in $(seq 100); do wget -qO- http://127.0.0.1:80/ 2>/dev/null && break; sleep 0.1; done'
	[[ $output == "first"$'\n'"second" ]] || fail "served: $output"
	run rl kube down "$out"
	expect_status 0
}

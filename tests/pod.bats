#!/usr/bin/env bats
# Pods: containers that share one network, host name and IPC space, each
# with its own pid 1 and root; ports published on the pod.

load helpers
bats_require_minimum_version 1.5.0

teardown() {
	local pods ids
	pods=$(rl pod ps -q 2>/dev/null) || true
	if [[ -n $pods ]]; then rl pod rm -f $pods >/dev/null 2>&1 || true; fi
	ids=$(rl ps -aq 2>/dev/null) || true
	if [[ -n $ids ]]; then rl rm -f $ids >/dev/null 2>&1 || true; fi
	assert_nothing_left
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# in_pod ARGS...: rl run --rm --pod p --rootfs $ROOTFS ARGS...
in_pod() {
	run rl run --rm --pod p --rootfs "$ROOTFS" "$@"
}

@test "a pod's containers share the network, the host name and IPC, but not pid 1 or the root" {
	run rl pod create --name p --hostname podhost
	expect_status 0
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	run rl run -d --pod p --name server --rootfs "$ROOTFS" -v "$BATS_TEST_TMPDIR:/t" sh -c '
		echo served > /tmp/index.html; touch /dev/mqueue/from-server /tmp/only-here
		httpd -f -p 127.0.0.1:8080 -h /tmp & echo > /t/ready; exec sleep 1000'
	expect_status 0
	timeout 20 cat "$BATS_TEST_TMPDIR/ready" >/dev/null
	# The server listens a moment after it starts: a bounded retry.
	in_pod sh -c 'for i in $(seq 100); do wget -qO- http://127.0.0.1:8080/ 2>/dev/null && break; sleep 0.1; done; hostname; ls /dev/mqueue; cat /proc/1/cmdline | tr "\0" " "; echo; ls /tmp'
	expect_status 0
	[[ ${lines[0]} == served ]]
	[[ ${lines[1]} == podhost ]]
	[[ ${lines[2]} == from-server ]]
	[[ ${lines[3]} == "sh -c for i"* ]] || fail "pid 1 is not the container's own: ${lines[3]}"
	[[ $output != *only-here* ]]
	# Outside the pod: none of it.
	run rl run --rm --network none --rootfs "$ROOTFS" sh -c 'ls /dev/mqueue; hostname'
	[[ $output != *from-server* && $output != *podhost* ]]
}

@test "ports are published on the pod; a container that asks for its own is refused" {
	port=$(free_port)
	rl pod create --name p -p "127.0.0.1:$port:8080"
	rl run -d --pod p --name web --rootfs "$ROOTFS" sh -c 'echo pod-web > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'
	for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.05; done
	run curl -sf "http://127.0.0.1:$port/"
	[[ $output == pod-web ]]
	run rl run --rm --pod p -p 9090:9090 --rootfs "$ROOTFS" true
	one_line_error
	expect_output_has "rl pod create -p"
	run rl run --rm --pod p --hostname other --rootfs "$ROOTFS" true
	one_line_error
	run rl ps --filter pod=p --format '{{.Names}}'
	[[ $output == $'web\np-infra' ]]
}

@test "pod ps, inspect, stop, start; rm refuses running containers without -f; the infra container goes only with its pod" {
	rl pod create --name p
	rl run -d --pod p --name member --rootfs "$ROOTFS" sleep 1000
	run rl pod ps --format json
	[[ $(jq -r '.[0].Name' <<<"$output") == p ]]
	[[ $(jq -r '.[0].Status' <<<"$output") == Running ]]
	[[ $(jq -r '.[0].Containers | length' <<<"$output") == 2 ]]
	run rl pod inspect p
	expect_status 0
	# podman's default host name: the pod's name.
	[[ $(jq -r '.[0].Hostname' <<<"$output") == p ]]
	run rl pod rm p
	one_line_error
	expect_output_has "rl pod rm -f"
	run rl rm -f p-infra
	one_line_error
	expect_output_has "infra container of pod p"
	run rl stop p-infra
	one_line_error
	expect_output_has "rl pod stop p"
	rl pod stop p
	run rl ps --format '{{.Names}}'
	[[ -z $output ]]
	[[ $(rl pod ps --format json | jq -r '.[0].Status') == Exited ]]
	rl pod start p
	run rl ps --format '{{.Names}}'
	[[ $output == $'member\np-infra' ]]
	run rl exec member hostname
	expect_status 0
	run rl pod rm -f p
	expect_status 0
	run rl ps -aq
	[[ -z $output ]]
	run rl pod ps -q
	[[ -z $output ]]
	run rl run --rm --pod nosuch --rootfs "$ROOTFS" true
	one_line_error
	expect_output_has "no such pod"
	run rl pod create --name bad/name
	one_line_error
}

@test "a pod on the host's network: its containers and exec see the host's interfaces" {
	rl pod create --name p --network host --hostname hostpod
	in_pod sh -c 'ls /sys/class/net | grep -c . ; hostname'
	expect_status 0
	((${lines[0]} == $(ls /sys/class/net | grep -c .))) || fail "$output"
	[[ ${lines[1]} == hostpod ]]
	run rl run -d --pod p --name member --rootfs "$ROOTFS" sleep 1000
	run rl exec member sh -c 'ls /sys/class/net | grep -c .'
	expect_status 0
	((output == $(ls /sys/class/net | grep -c .)))
}

@test "a pod's host name is its name unless --hostname; --pod new:NAME --hostname names the new pod's; --infra=false is refused; InfraConfig.HostNetwork; --infra-name" {
	rl pod create --name p >/dev/null
	in_pod hostname
	[[ $output == p ]] || fail "hostname: $output"
	run rl pod inspect --format '{{.InfraConfig.HostNetwork}}' p
	[[ $output == false ]]
	rl pod rm -f p >/dev/null
	run rl run --rm --pod new:p2 --hostname foobar --rootfs "$ROOTFS" hostname
	expect_status 0
	[[ $output == foobar ]] || fail "new: --hostname: $output"
	rl pod rm -f p2 >/dev/null
	run rl run --rm --pod new:p3 --rootfs "$ROOTFS" hostname
	[[ $output == p3 ]] || fail "new: $output"
	rl pod rm -f p3 >/dev/null
	run rl pod create --infra=false --name nope
	one_line_error
	run rl pod exists nope
	expect_status 1
	rl pod create --infra=true --network host --name h >/dev/null
	run rl pod inspect --format '{{.InfraConfig.HostNetwork}}' h
	[[ $output == true ]]
	# --infra-name names the infra container, which /etc/hosts lists
	# after the pod's host name, as podman's does.
	rl pod create --name p4 --infra-name p4-holder --add-host pod-extra:10.4.5.6 --dns 10.9.9.9 >/dev/null
	run rl ps -a --filter pod=p4 --format '{{.Names}}'
	[[ $output == p4-holder ]] || fail "infra: $output"
	run rl run --rm --pod p4 --rootfs "$ROOTFS" cat /etc/hosts
	[[ $output =~ [[:space:]]p4\ p4-holder ]] || fail "/etc/hosts: $output"
	expect_output_has "10.4.5.6	pod-extra"
	run rl run --rm --pod p4 --rootfs "$ROOTFS" cat /etc/resolv.conf
	expect_output_has "nameserver 10.9.9.9"
	# One with an --add-host of its own keeps files of its own.
	run rl run --rm --pod p4 --add-host extra:10.1.2.3 --rootfs "$ROOTFS" cat /etc/hosts
	expect_output_has "10.1.2.3	extra"
	run rl pod create --name p5 --infra-name 'bad name'
	one_line_error
	expect_output_has 'invalid --infra-name "bad name"'
	run rl pod exists p5
	expect_status 1
}

@test "a pod's containers share /dev/shm, as they share IPC; other containers have their own; pod rm removes it" {
	rl pod create --name p >/dev/null
	in_pod touch /dev/shm/from-one
	expect_status 0
	run rl run --rm --pod p --user 1000 --rootfs "$ROOTFS" sh -c 'ls /dev/shm; touch /dev/shm/from-1000 && echo written'
	expect_status 0
	[[ $output == *from-one*written* ]] || fail "$output"
	run rl run --rm --network none --rootfs "$ROOTFS" ls /dev/shm
	[[ -z $output ]] || fail "outside the pod: $output"
	rl pod rm -f p >/dev/null
	run find "$RL_TEST_RUNROOT/pods" -mindepth 1
	[[ -z $output ]] || fail "left: $output"
}

@test "pod create --exit-policy: continue (the default) keeps the pod running after its last container, stop ends it; a bad one is refused" {
	rl pod create --name keep >/dev/null
	run rl pod inspect --format '{{.ExitPolicy}}' keep
	[[ $output == continue ]]
	run rl run --rm --pod keep --rootfs "$ROOTFS" true
	expect_status 0
	run rl pod inspect --format '{{.State}}' keep
	[[ $output == Running ]] || fail "continue: $output"
	rl pod create --name end --exit-policy stop >/dev/null
	run rl pod inspect --format '{{.ExitPolicy}}' end
	[[ $output == stop ]]
	run rl run --pod end --name last --rootfs "$ROOTFS" true
	expect_status 0
	run rl pod inspect --format '{{.State}}' end
	[[ $output == Exited ]] || fail "stop: $output"
	run rl pod create --name bad --exit-policy sometimes
	one_line_error
	expect_output_has 'invalid pod exit policy: "sometimes"'
	run rl pod exists bad
	expect_status 1
}

#!/usr/bin/env bats
# --network container:NAME|ID: a container that joins the network
# namespace of another, running one, as podman's. Every test talks only to
# 127.0.0.1 inside the shared namespace.

load helpers
bats_require_minimum_version 1.5.0

teardown() {
	remove_all_containers
	assert_nothing_left
}

# serve NAME: start container NAME on the default network, with a TCP
# service on 127.0.0.1:8080 that answers "served"; return once it listens.
serve() {
	local ready
	ready=$(fifo ready)
	run rl run -d --name "$1" --hostname "$1-host" --rootfs "$ROOTFS" -v "$ready:/ready" sh -c '
		nc -ll -p 8080 -e echo served &
		until netstat -ltn | grep -q ":8080 "; do :; done
		echo > /ready; exec sleep 1000'
	expect_status 0
	timeout 20 cat "$ready" >/dev/null
	rm "$ready"
}

@test "--network container: shares the target's interfaces, services on 127.0.0.1, /etc/hosts and resolv.conf, not its host name or pids" {
	serve web
	run rl exec web sh -c 'readlink /proc/self/ns/net; ip -4 -o addr; ip route; cat /etc/resolv.conf'
	expect_status 0
	target=$output
	rl_run --name joiner --network container:web sh -c '
		readlink /proc/self/ns/net; ip -4 -o addr; ip route; cat /etc/resolv.conf
		echo "-- $(nc 127.0.0.1 8080 </dev/null)"; echo "host $(hostname)"; cat /etc/hosts; ps'
	expect_status 0
	[[ $output == "$target"* ]] || fail "not the target's network namespace, addresses, routes and resolv.conf: $output"
	expect_output_has "inet 10.0.2.100/24"
	expect_output_has "-- served"
	# Its own host name and pid namespace; its name on 127.0.0.1 in the
	# target's /etc/hosts, beside the target's.
	[[ $output =~ $'\n'"host "([0-9a-f]{12})$'\n' ]] || fail "the host name is not the joiner's own: $output"
	hostname=${BASH_REMATCH[1]}
	expect_output_has "10.0.2.100	web-host web"
	expect_output_has "127.0.0.1	$hostname joiner"
	[[ $output != *"sleep 1000"* ]] || fail "the target's processes are visible: $output"
	# Gone with the joiner, from the target's file too.
	run rl exec web cat /etc/hosts
	[[ $output == *"web-host web"* && $output != *joiner* ]] || fail "the joiner's line stayed: $output"
}

@test "a container created with --network container:NAME records the target's id, inspect shows it as podman does; exec sees the network" {
	serve web
	web=$(rl inspect web --format '{{.Id}}')
	run rl create --name joiner --network container:web --rootfs "$ROOTFS" sleep 1000
	expect_status 0
	run rl inspect joiner --format '{{.HostConfig.NetworkMode}}'
	[[ $output == "container:$web" ]] || fail "NetworkMode: $output"
	rl start joiner
	run rl exec joiner sh -c 'nc 127.0.0.1 8080 </dev/null'
	[[ $output == served ]] || fail "exec in the joiner: $output"
}

@test "--network container: refuses -p, --dns and --add-host in one line, and a target that does not exist or does not run" {
	rl_run --network container:web -p 8080:80 true
	one_line_error
	expect_output_has "cannot publish ports with --network container:web"
	rl_run --network container:web --dns 10.0.2.3 true
	one_line_error
	rl_run --network container:web --add-host db:10.0.2.5 true
	one_line_error
	rl_run --network container:nosuch true
	one_line_error
	expect_output_has "no such container"
	run rl create --name stopped --rootfs "$ROOTFS" true
	expect_status 0
	rl_run --network container:stopped true
	one_line_error
	expect_output_has "container stopped: it is not running"
	run rl ps -aq
	[[ ${#lines[@]} == 1 ]] || fail "a refused container was kept: $output"
}

@test "a container whose network others join is removed only after them, as podman: rm refuses it, rm --depend, rm -a and container prune take them first" {
	serve web
	run rl run -d --name joiner --network container:web --rootfs "$ROOTFS" sleep 1000
	expect_status 0
	run rl create --name next --network container:joiner --rootfs "$ROOTFS" true
	expect_status 0
	run rl rm -f web
	one_line_error
	expect_output_has "container web has dependent containers which must be removed before it"
	run rl ps -q
	[[ ${#lines[@]} == 2 ]] || fail "a container went: $output"
	run rl rm -f --depend web
	expect_status 0
	[[ ${#lines[@]} == 3 ]] || fail "rm --depend removed: $output"
	serve web
	run rl run -d --name joiner --network container:web --rootfs "$ROOTFS" sleep 1000
	expect_status 0
	run rl rm -f -a
	expect_status 0
	[[ ${#lines[@]} == 2 ]] || fail "rm -a: $output"
	run rl ps -aq
	[[ -z $output ]] || fail "left: $output"
	# container prune takes both, the joiner first.
	rl create --name web --network none --rootfs "$ROOTFS" true >/dev/null
	rl create --name joiner --network container:web --rootfs "$ROOTFS" true >/dev/null
	run rl container prune
	expect_status 0
	[[ ${#lines[@]} == 2 ]] || fail "prune: $output"
}

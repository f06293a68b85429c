#!/usr/bin/env bats
# Networking: the user-mode networks (slirp4netns through rootlesskit,
# pasta), published ports, and the /etc files that name them. Every test
# talks only to addresses on this machine: servers on the host's 127.0.0.1
# reached through the gateway, and servers in containers reached through
# ports published on 127.0.0.1.

load helpers
bats_require_minimum_version 1.5.0

# A test that fails half-way must not leave its background container
# running: bats would wait for it.
teardown() {
	if [[ -n ${rl_pid:-} ]]; then
		kill -KILL "$rl_pid" 2>/dev/null || true
	fi
	assert_nothing_left
}

# free_port prints a TCP (or, with udp, UDP) port on 127.0.0.1 that is free
# now.
free_port() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "${1:-tcp}"
}

# await CMD...: run CMD until it succeeds, at most 10 s (a server that
# another process starts is ready when it answers).
await() {
	for _ in $(seq 200); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	fail "never succeeded: $*"
}

# NETPROBE is the static test helper (tests/cmd/netprobe) that serves UDP
# and pings from inside containers.
NETPROBE=$BATS_TEST_DIRNAME/bin/netprobe

# udp_ask PORT: send "hello" to 127.0.0.1:PORT over UDP, print the answer
# (fail after 0.5 s without one).
udp_ask() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5)
s.sendto(b"hello", ("127.0.0.1", int(sys.argv[1]))); print(s.recv(100).decode())' "$1"
}

# serve_web DIR: start a container that serves DIR over HTTP on its port 80
# with -p PORT:80 and the given extra flags; sets $rl_pid and $port.
serve_web() {
	local dir=$1
	shift
	port=$(free_port)
	rl_background run --rm --init -v "$dir:/www:ro" -p "127.0.0.1:$port:80" "$@" --rootfs "$ROOTFS" httpd -f -p 80 -h /www
	rl_pid=$!
	await curl -sf "http://127.0.0.1:$port/"
}

@test "the default network is slirp4netns: tap0 with 10.0.2.100/24, a route via 10.0.2.2, MTU 65520, lo up" {
	rl_run sh -c 'ip -4 -o addr show tap0; ip route; cat /sys/class/net/tap0/mtu; cat /sys/class/net/lo/operstate; ls /sys/class/net'
	expect_status 0
	expect_output_has "inet 10.0.2.100/24"
	expect_output_has "default via 10.0.2.2 dev tap0"
	[[ ${lines[3]} == 65520 ]]
	expect_output_has "tap0"
	rl_run --network slirp4netns:mtu=1500 cat /sys/class/net/tap0/mtu
	expect_status 0
	[[ $output == 1500 ]]
}

@test "--network pasta: tap0 with the same addresses, configured by pasta" {
	rootless_because "pasta is refused for real root (it drops its privileges before it joins the container)"
	rl_run --network pasta sh -c 'ip -4 -o addr show tap0; ip route; cat /sys/class/net/tap0/mtu'
	expect_status 0
	expect_output_has "inet 10.0.2.100/24"
	expect_output_has "default via 10.0.2.2 dev tap0"
	[[ ${lines[-1]} == 65520 ]]
}

@test "--userns=keep-id gets the network too" {
	rootless_because "--userns=keep-id has no effect for root"
	rl_run --userns keep-id sh -c 'id -u; ip -4 -o addr show tap0'
	expect_status 0
	[[ ${lines[0]} == "$(id -u)" ]]
	expect_output_has "inet 10.0.2.100/24"
}

@test "/etc/resolv.conf, /etc/hosts and /etc/hostname name the network, the host name and --add-host entries" {
	rl_run --hostname box --add-host db.test:192.0.2.7 sh -c 'cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---; cat /etc/hostname'
	expect_status 0
	expect_output_has "nameserver 10.0.2.3"
	expect_output_has "10.0.2.100	box"
	expect_output_has "192.0.2.7	db.test"
	[[ ${lines[-1]} == box ]]
	[[ $output != *host.containers.internal* ]]
	rl_run --dns 192.0.2.53 --dns-search example.test --network slirp4netns:allow_host_loopback=true \
		sh -c 'cat /etc/resolv.conf /etc/hosts'
	expect_status 0
	expect_output_has "nameserver 192.0.2.53"
	[[ $output != *10.0.2.3* ]]
	expect_output_has "search example.test"
	expect_output_has "10.0.2.2	host.containers.internal"
	# On the host's network, the host is the container's own loopback.
	run rl run --rm --network host --rootfs "$ROOTFS" cat /etc/hosts
	expect_output_has "127.0.0.1	host.containers.internal host.docker.internal"
	# A file the user mounts there wins.
	echo "192.0.2.9 mine" >"$BATS_TEST_TMPDIR/hosts"
	rl_run -v "$BATS_TEST_TMPDIR/hosts:/etc/hosts:ro" cat /etc/hosts
	expect_status 0
	[[ $output == "192.0.2.9 mine" ]]
}

@test "the container reaches the host's loopback through 10.0.2.2 only with allow_host_loopback=true" {
	mkdir "$BATS_TEST_TMPDIR/www"
	echo from-the-host >"$BATS_TEST_TMPDIR/www/index.html"
	port=$(free_port)
	busybox httpd -f -p "127.0.0.1:$port" -h "$BATS_TEST_TMPDIR/www" &
	server=$!
	await curl -sf "http://127.0.0.1:$port/"
	rl_run --network slirp4netns:allow_host_loopback=true wget -qO- "http://10.0.2.2:$port/"
	expect_status 0
	[[ $output == from-the-host ]]
	rl_run sh -c "nc -w 2 10.0.2.2 $port </dev/null && echo connected"
	[[ $output != *connected* ]]
	kill "$server"
}

@test "-p publishes a container's TCP port on the host; rl port lists it; the helpers end with the container" {
	mkdir "$BATS_TEST_TMPDIR/www"
	echo from-the-container >"$BATS_TEST_TMPDIR/www/index.html"
	serve_web "$BATS_TEST_TMPDIR/www" --name web
	[[ $(curl -sf "http://127.0.0.1:$port/") == from-the-container ]]
	run rl port web
	expect_status 0
	[[ $output == "80/tcp -> 127.0.0.1:$port" ]]
	run rl port web 80
	[[ $output == "127.0.0.1:$port" ]]
	helpers=$(pgrep -P "$rl_pid" | tr '\n' ' ')
	[[ -n $helpers ]]
	kill -TERM "$rl_pid"
	code=0
	wait "$rl_pid" || code=$?
	[[ $code == 143 ]]
	# shellcheck disable=SC2086
	gone $helpers
	run curl -s "http://127.0.0.1:$port/"
	[[ $status != 0 ]]
}

@test "killing rl with SIGKILL takes the network helpers down with it" {
	mkdir "$BATS_TEST_TMPDIR/www"
	echo x >"$BATS_TEST_TMPDIR/www/index.html"
	serve_web "$BATS_TEST_TMPDIR/www"
	helpers=$(pgrep -P "$rl_pid" | tr '\n' ' ')
	pgrep -P "$rl_pid" -x slirp4netns
	kill -KILL "$rl_pid"
	# shellcheck disable=SC2086
	gone $helpers
	run curl -s "http://127.0.0.1:$port/"
	[[ $status != 0 ]]
	# rl had no chance to remove its container: do it as rl rm would.
	rm -rf "$RL_TEST_RUNROOT" "$RL_TEST_ROOT/containers"
}

@test "-p publishes TCP from two containers at once, one on pasta, and UDP" {
	mkdir "$BATS_TEST_TMPDIR/www1" "$BATS_TEST_TMPDIR/www2"
	echo one >"$BATS_TEST_TMPDIR/www1/index.html"
	echo two >"$BATS_TEST_TMPDIR/www2/index.html"
	serve_web "$BATS_TEST_TMPDIR/www1"
	first=$rl_pid first_port=$port
	# pasta serves only rootless containers.
	second_net=pasta
	if [[ $(id -u) == 0 ]]; then second_net=slirp4netns; fi
	serve_web "$BATS_TEST_TMPDIR/www2" --network "$second_net"
	[[ $(curl -sf "http://127.0.0.1:$first_port/") == one ]]
	[[ $(curl -sf "http://127.0.0.1:$port/") == two ]]
	kill -TERM "$first" "$rl_pid"
	wait "$first" "$rl_pid" || true
	# UDP: a datagram sent to the published port reaches the container,
	# and its answer comes back.
	uport=$(free_port udp)
	rl_background run --rm --init -p "127.0.0.1:$uport:5353/udp" -v "$NETPROBE:/netprobe:ro" --rootfs "$ROOTFS" \
		/netprobe udp-echo 5353
	rl_pid=$!
	await udp_ask "$uport"
	[[ $(udp_ask "$uport") == "echo: hello" ]]
	kill -TERM "$rl_pid"
	wait "$rl_pid" || true
}

@test "a host port in use: one line, exit 126 (podman's), nothing left running" {
	port=$(free_port)
	python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$port" &
	holder=$!
	await sh -c "ss -ltn | grep -q '127.0.0.1:$port '"
	rl_run -p "127.0.0.1:$port:80" true
	expect_status 126
	[[ ${#lines[@]} == 1 ]] || fail "$output"
	expect_output_has "address already in use"
	[[ -z $(pgrep -u "$(id -u)" -r D,R,S,T -x slirp4netns) ]]
	kill "$holder"
}

@test "a privileged host port is refused before anything starts, with the sysctl and the alternative" {
	rootless_because "root may publish host ports below 1024"
	rl_run -p 80:80 true
	one_line_error
	expect_output_has "ip_unprivileged_port_start"
	expect_output_has "-p 8080:80"
}

@test "bad -p values and -p without a network are refused" {
	rl_run -p 99999:80 true
	one_line_error
	rl_run -p 8080:80/sctp true
	one_line_error
	rl_run --network none -p 8080:80 true
	one_line_error
	expect_output_has "--network slirp4netns or pasta"
	rl_run --network slirp4netns:mtu=nine true
	one_line_error
}

@test "ping works inside for every user: net.ipv4.ping_group_range covers the container's groups" {
	rl_run -u 1234 -v "$NETPROBE:/netprobe:ro" sh -c 'cat /proc/sys/net/ipv4/ping_group_range; /netprobe ping 10.0.2.2'
	expect_status 0
	expect_output_has "reply from 10.0.2.2"
}

@test "without slirp4netns installed: one line with the fix, exit 125, nothing left" {
	mkdir "$BATS_TEST_TMPDIR/path"
	for tool in newuidmap newgidmap; do
		ln -s "$(command -v "$tool")" "$BATS_TEST_TMPDIR/path/"
	done
	PATH="$BATS_TEST_TMPDIR/path" run "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" run --rm --rootfs "$ROOTFS" true
	one_line_error
	expect_output_has "slirp4netns is not on PATH"
	expect_output_has "apt-get install slirp4netns"
	[[ -z $(ls -A "$RL_TEST_RUNROOT/net" 2>/dev/null) ]]
}

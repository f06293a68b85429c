#!/usr/bin/env bats
# User-defined networks (rl network ..., run --network NAME): bridges that
# netavark makes in the rootless network namespace, names that
# aardvark-dns answers, slirp4netns for the way out. Traffic goes only to
# the networks' own private addresses inside the rootless netns, to
# slirp4netns's gateway 10.0.2.2 (answered by slirp4netns itself) and to
# 127.0.0.1 on the host.

load helpers
bats_require_minimum_version 1.5.0

NETPROBE=$BATS_TEST_DIRNAME/bin/netprobe

setup() {
	export RL_TEST_ROOT="$BATS_TEST_TMPDIR/store"
	export RL_TEST_RUNROOT="$BATS_TEST_TMPDIR/run"
	[[ $(id -u) != 0 ]] || skip "rl's user-defined networks are rootless only: the rootless netns lives in the shared user namespace, which real root has none of"
	local helper
	for helper in netavark aardvark-dns; do
		command -v "$helper" >/dev/null || [[ -x /usr/lib/podman/$helper || -x /usr/libexec/podman/$helper ]] ||
			skip "$helper is not installed (tests/setup.sh installs the package $helper)"
	done
}

teardown() {
	remove_all_containers
	netns_gone
	assert_nothing_left
}

# netns_gone: the rootless network namespace ended with its last
# container: no holder, slirp4netns (both marked with _RL_NETNS=DIR in
# their environment) or aardvark-dns (DIR on its command line) of this run
# root is left, at most 10 s after the last container, whose monitor tears
# it down as it exits.
netns_gone() {
	local dir=$RL_TEST_RUNROOT/netns _ left
	for _ in $(seq 200); do
		left=$(grep -lsxz "_RL_NETNS=$dir" /proc/[0-9]*/environ; pgrep -u "$(id -u)" -f "$dir" || true)
		if [[ ! -e $dir/holder && -z $left ]]; then
			return 0
		fi
		sleep 0.05
	done
	fail "the rootless netns is left: $(cat "$dir/holder" 2>/dev/null) $left"
}

# serve NAME ARGS...: start container NAME in the background with ARGS
# (its --network flags) and a TCP service on port 8080 that answers
# "served by NAME"; return once it listens.
serve() {
	local name=$1 ready
	shift
	ready=$(fifo "ready-$name")
	run rl run -d --name "$name" "$@" --rootfs "$ROOTFS" -v "$ready:/ready" sh -c "
		nc -ll -p 8080 -e echo served by $name &
		until netstat -ltn | grep -q ':8080 '; do :; done
		echo > /ready; exec sleep 1000"
	expect_status 0
	timeout 20 cat "$ready" >/dev/null
	rm "$ready"
}

@test "network create, ls, inspect, exists and rm, as podman's; the default network podman is always there" {
	run rl network ls
	expect_status 0
	[[ ${lines[0]} =~ ^NETWORK\ ID\ +NAME\ +DRIVER$ && ${lines[1]} =~ ^2f259bab93aa\ +podman\ +bridge$ ]] || fail "$output"
	run rl network create --subnet 10.89.7.0/24 --gateway 10.89.7.9 --label app=web --internal n1
	expect_status 0
	[[ $output == n1 ]]
	run rl network create n2
	expect_status 0
	run rl network ls -q
	[[ $output == $'n1\nn2\npodman' ]] || fail "$output"
	run rl network ls --format '{{.Name}} {{.NetworkInterface}} {{.Internal}}'
	[[ $output == $'n1 podman1 true\nn2 podman2 false\npodman podman0 false' ]] || fail "$output"
	run rl network ls -q --filter label=app=web
	[[ $output == n1 ]] || fail "--filter label: $output"
	run rl network ls -q --filter name=^n --filter driver=bridge
	[[ $output == $'n1\nn2' ]] || fail "--filter name: $output"
	run rl network ls --filter color=red
	one_line_error
	run rl network inspect n1
	expect_status 0
	[[ $(jq -r '.[0] | "\(.subnets[0].subnet) \(.subnets[0].gateway) \(.labels.app) \(.dns_enabled) \(.driver)"' <<<"$output") == "10.89.7.0/24 10.89.7.9 web true bridge" ]] || fail "$output"
	run rl network inspect --format '{{(index .Subnets 0).Subnet}}' n2
	[[ $output == 10.89.0.0/24 ]] || fail "not the first free subnet: $output"
	# Stored as netavark's JSON under the store.
	jq -e '.network_interface == "podman1" and .internal' "$RL_TEST_ROOT/networks/n1.json"
	rl network exists n1
	run rl network exists nope
	expect_status 1
	run rl network rm n1 nope
	expect_status 1
	expect_output_has "n1"
	expect_output_has "unable to find network with name or ID nope: network not found"
	run rl network rm podman
	one_line_error
	expect_output_has "default network podman cannot be removed"
	run rl network prune -f
	[[ $output == n2 ]] || fail "$output"
	run rl network ls -q
	[[ $output == podman ]] || fail "$output"
}

@test "bad network names, subnets and gateways are refused in one line, and nothing is made" {
	rl network create taken
	for args in "bad/name" ".dot" "--subnet 10.1.2.0/33 x" "--subnet fd00::/64 x" "--subnet 10.1.2.0/31 x" \
		"--gateway 10.1.2.1 x" "--subnet 10.1.2.0/24 --gateway 10.1.3.1 x" "--subnet 10.1.2.0/24 --gateway 10.1.2.255 x" \
		"--subnet 10.0.2.0/24 x" "--driver macvlan x" "taken"; do
		# shellcheck disable=SC2086 # word splitting wanted
		run rl network create $args
		one_line_error
	done
	run rl network create --subnet 10.89.0.0/16 x
	one_line_error
	rl network create --subnet 10.90.0.0/16 y
	run rl network create --subnet 10.90.3.0/24 x
	one_line_error
	expect_output_has "subnet 10.90.3.0/24 is already used"
	run rl network ls -q
	[[ $output == $'podman\ntaken\ny' ]] || fail "$output"
	run rl run --rm --network nope --rootfs "$ROOTFS" true
	one_line_error
	expect_output_has "unable to find network with name or ID nope: network not found"
	run rl run --rm --network taken --ip 10.89.9.9 --rootfs "$ROOTFS" true
	expect_status 125
	expect_output_has "requested ip address 10.89.9.9 is not a free host address"
	run rl ps -aq
	[[ -z $output ]] || fail "a container was made: $output"
}

@test "two containers on one network reach each other by name and alias; resolv.conf and /etc/hosts name the network" {
	rl network create --subnet 10.89.20.0/24 n1
	serve web --network n1:alias=www --network-alias site
	run rl inspect web --format '{{.HostConfig.NetworkMode}} {{$n := index .NetworkSettings.Networks "n1"}}{{$n.IPAddress}}/{{$n.IPPrefixLen}} {{$n.Gateway}} {{$n.Aliases}}'
	[[ $output == "bridge 10.89.20.2/24 10.89.20.1 [www site]" ]] || fail "inspect: $output"
	# netavark finds iptables in /usr/sbin, which a user's PATH may lack.
	run env PATH=/usr/local/bin:/usr/bin "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" run --rm --network n1 --rootfs "$ROOTFS" ip -4 -o addr show eth0
	expect_status 0
	expect_output_has "inet 10.89.20."
	run rl run --rm --name client --network n1 --rootfs "$ROOTFS" sh -c '
		cat /etc/resolv.conf; cat /etc/hosts; ip -4 -o addr show eth0; ip route
		for n in web www site web.dns.podman; do echo "$n: $(nc $n 8080 </dev/null)"; done
		nslookup web | grep -A1 "^Name:"'
	expect_status 0
	expect_output_has "nameserver 10.89.20.1"
	expect_output_has "search dns.podman"
	expect_output_has "client"
	expect_output_has "inet 10.89.20.3/24"
	expect_output_has "default via 10.89.20.1 dev eth0"
	expect_output_has "web: served by web"
	expect_output_has "www: served by web"
	expect_output_has "site: served by web"
	expect_output_has "web.dns.podman: served by web"
	expect_output_has "Address: 10.89.20.2"
	[[ $output =~ 10.89.20.3[[:space:]]+[0-9a-f]{12}\ client ]] || fail "/etc/hosts does not name the container: $output"
	# By its address too, and a second client gets the next one.
	run rl run --rm --network n1 --ip 10.89.20.50 --mac-address 92:d0:c6:0a:29:33 --rootfs "$ROOTFS" sh -c '
		ip -4 -o addr show eth0; cat /sys/class/net/eth0/address; nc 10.89.20.2 8080 </dev/null'
	expect_status 0
	expect_output_has "inet 10.89.20.50/24"
	expect_output_has "92:d0:c6:0a:29:33"
	expect_output_has "served by web"
	run rl run --rm --network n1 --ip 10.89.20.2 --rootfs "$ROOTFS" true
	expect_status 125
	expect_output_has "requested ip address 10.89.20.2 is already allocated"
	# rl-init sets the container up while netavark works: its own failure
	# is what rl says, and the container's place on n1 is given back.
	run rl run --rm --network n1 --ip 10.89.20.60 --user 1000 -w /nope --rootfs "$ROOTFS" true
	expect_status 126
	expect_output_has 'workdir "/nope" does not exist'
	run rl run --rm --network n1 --ip 10.89.20.60 --rootfs "$ROOTFS" ip -4 -o addr show eth0
	expect_status 0
	expect_output_has "inet 10.89.20.60/24"
	# --network container: joins web's place on n1.
	run rl run --rm --network container:web --rootfs "$ROOTFS" sh -c 'ip -4 -o addr show eth0; nc 127.0.0.1 8080 </dev/null'
	expect_status 0
	expect_output_has "inet 10.89.20.2/24"
	expect_output_has "served by web"
}

@test "two networks are isolated from each other; a container on both reaches both" {
	rl network create --subnet 10.89.21.0/24 n1
	rl network create --subnet 10.89.22.0/24 n2
	serve one --network n1
	serve two --network n2
	run rl run --rm --network n2 --rootfs "$ROOTFS" sh -c '
		echo "by name: $(nc -w 1 one 8080 </dev/null)"; echo "by address: $(nc -w 1 10.89.21.2 8080 </dev/null)"
		echo "own: $(nc two 8080 </dev/null)"'
	expect_status 0
	expect_output_has "own: served by two"
	[[ $output == *"by name: "$'\n'* && $output == *"by address: "$'\n'* ]] || fail "n2 reached n1: $output"
	run rl run --rm --network n1 --network n2 --rootfs "$ROOTFS" sh -c '
		ip -4 -o addr | grep -c eth; echo "$(nc one 8080 </dev/null) / $(nc two 8080 </dev/null)"'
	expect_status 0
	[[ ${lines[0]} == 2 ]] || fail "not on both networks: $output"
	expect_output_has "served by one / served by two"
	# interface_name=: the interfaces' names, in the order of the networks.
	run rl run --rm --network n1:interface_name=first --network n2:interface_name=second --rootfs "$ROOTFS" sh -c \
		"ip -o link | sed -E 's/^([0-9]+): ([^:@]+).*/\1 \2/'"
	expect_status 0
	[[ $output == $'1 lo\n2 first\n3 second' ]] || fail "interfaces: $output"
	run rl run --rm --network n1:interface_name=a/b --rootfs "$ROOTFS" true
	one_line_error
	expect_output_has "invalid interface_name=a/b"
}

@test "--internal: no way out; a network without it reaches slirp4netns's gateway, with its -o mtu" {
	rl network create --internal inner
	rl network create -o mtu=1400 outer
	run rl run --rm --network outer -v "$NETPROBE:/netprobe:ro" --rootfs "$ROOTFS" sh -c 'cat /sys/class/net/eth0/mtu; /netprobe ping 10.0.2.2'
	expect_status 0
	[[ ${lines[0]} == 1400 ]] || fail "-o mtu: $output"
	expect_output_has "reply from 10.0.2.2"
	run rl run --rm --network inner -v "$NETPROBE:/netprobe:ro" --rootfs "$ROOTFS" sh -c 'ip route; /netprobe ping 10.0.2.2'
	expect_status 1
	[[ $output != *default* ]] || fail "an internal network has a default route: $output"
}

@test "-p publishes a port of a container on a network on the host's 127.0.0.1" {
	rl network create n1
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	serve web --network n1 -p "127.0.0.1:$port:8080"
	run curl -s --max-time 5 "telnet://127.0.0.1:$port" </dev/null
	expect_status 0
	[[ $output == "served by web" ]] || fail "$output"
	run rl port web
	expect_output_has "8080/tcp -> 127.0.0.1:$port"
}

@test "network rm refuses a network in use (exit 2), rm -f removes its containers first" {
	rl network create n1
	run rl create --name c1 --network n1 --rootfs "$ROOTFS" true
	expect_status 0
	run rl network rm n1
	expect_status 2
	expect_output_has '"n1" has associated containers with it'
	expect_output_has "network is being used"
	rl network exists n1
	run rl network prune -f
	[[ -z $output ]] || fail "pruned a network in use: $output"
	run rl network rm -f n1
	expect_status 0
	[[ $output == n1 ]]
	run rl ps -aq
	[[ -z $output ]] || fail "the container stayed: $output"
}

@test "the rootless netns starts with the first container on a network and ends with the last" {
	rl network create n1
	serve a --network n1
	[[ -e $RL_TEST_RUNROOT/netns/holder ]]
	read -r holder _ <"$RL_TEST_RUNROOT/netns/holder"
	serve b --network n1
	read -r again _ <"$RL_TEST_RUNROOT/netns/holder"
	[[ $holder == "$again" ]] || fail "a second rootless netns: $holder, $again"
	rl rm -f a
	kill -0 "$holder" || fail "the rootless netns ended with a container still on it"
	rl rm -f b
	netns_gone
}

@test "rl killed in or right after the network setup: the next container's start repairs it, and so does rm" {
	rl network create --subnet 10.89.23.0/24 n1
	# netns: recorded, before netavark runs; network: set up.
	for at in netns network; do
		RL_TEST_CRASH_AT=$at run rl run --rm --name crashed --network n1 --rootfs "$ROOTFS" sleep 1000
		expect_status 137
		# Its rl-init dies with it (a parent-death signal).
		gone "$(jq -r '.containers[].pid' "$RL_TEST_RUNROOT/netns/state.json")"
		# The crashed container's address is free again, its name unknown.
		run rl run --rm --name second --network n1 --rootfs "$ROOTFS" sh -c 'ip -4 -o addr show eth0; nslookup crashed >/dev/null && echo resolved || echo unknown'
		expect_status 0
		expect_output_has "inet 10.89.23.2/24"
		expect_output_has "unknown"
		netns_gone
		rl rm -f crashed
	done
	# Killed again: removing the container ends the rootless netns.
	RL_TEST_CRASH_AT=network run rl run -d --name again --network n1 --rootfs "$ROOTFS" sleep 1000
	RL_TEST_CRASH_AT=netns run rl run --name again2 --network n1 --rootfs "$ROOTFS" sleep 1000
	run rl rm -f again again2
	netns_gone
}

@test "a pod on a network: its containers share the infra's address and ports, others reach them by the pod's name" {
	rl network create --subnet 10.89.24.0/24 n1
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	rl pod create --name p1 --network n1 -p "127.0.0.1:$port:8080"
	serve inpod --pod p1
	run curl -s --max-time 5 "telnet://127.0.0.1:$port" </dev/null
	[[ $output == "served by inpod" ]] || fail "the pod's published port: $output"
	run rl run --rm --pod p1 --rootfs "$ROOTFS" sh -c 'ip -4 -o addr show eth0; cat /etc/resolv.conf'
	expect_status 0
	expect_output_has "inet 10.89.24.2/24"
	expect_output_has "nameserver 10.89.24.1"
	run rl run --rm --network n1 --rootfs "$ROOTFS" sh -c 'nc p1 8080 </dev/null'
	expect_status 0
	[[ $output == "served by inpod" ]] || fail "$output"
	rl pod rm -f p1
}

@test "network connect and disconnect of a running container: an interface more, then none; kept for the next start" {
	rl network create --subnet 10.89.25.0/24 n1
	rl network create --subnet 10.89.26.0/24 n2
	serve web --network n1
	run rl network connect --alias site n2 web
	expect_status 0
	run rl exec web ip -4 -o addr
	expect_output_has "eth1    inet 10.89.26.2/24"
	# Its resolv.conf has n2's name server too now, as podman's has.
	run rl exec web cat /etc/resolv.conf
	expect_output_has "nameserver 10.89.25.1"
	expect_output_has "nameserver 10.89.26.1"
	run rl run --rm --network n2 --rootfs "$ROOTFS" sh -c 'echo "$(nc web 8080 </dev/null) / $(nc site 8080 </dev/null)"'
	expect_status 0
	expect_output_has "served by web / served by web"
	run rl network connect n2 web
	expect_status 125
	expect_output_has "already connected to network n2"
	run rl inspect web --format '{{len .NetworkSettings.Networks}}'
	[[ $output == 2 ]] || fail "$output"
	rl network disconnect n2 web
	run rl exec web ip -4 -o addr
	[[ $output != *eth1* ]] || fail "eth1 stayed: $output"
	run rl run --rm --network n2 --rootfs "$ROOTFS" sh -c 'nc -w 1 10.89.26.2 8080 </dev/null; nslookup web >/dev/null && echo resolved'
	[[ $output != *served* && $output != *resolved* ]] || fail "still on n2: $output"
	run rl network disconnect n1 web
	expect_status 125
	run rl network connect n2 nope
	expect_status 125
	run rl create --name plain --rootfs "$ROOTFS" true
	run rl network connect n2 plain
	one_line_error
	expect_output_has "not on user-defined networks"
}

@test "without netavark: one line that names the package, exit 125, and nothing is made" {
	rl network create n1
	conf=$BATS_TEST_TMPDIR/containers.conf
	printf '[engine]\nhelper_binaries_dir = ["%s"]\n' "$BATS_TEST_TMPDIR/nowhere" >"$conf"
	CONTAINERS_CONF=$conf run rl run --rm --network n1 --rootfs "$ROOTFS" true
	one_line_error
	expect_output_has "netavark is neither on PATH nor in $BATS_TEST_TMPDIR/nowhere (hint: install the package netavark)"
	CONTAINERS_CONF=$conf run rl create --network n1 --rootfs "$ROOTFS" true
	one_line_error
	run rl ps -aq
	[[ -z $output ]] || fail "a container was made: $output"
	[[ ! -e $RL_TEST_RUNROOT/netns/holder ]] || fail "a rootless netns was made"
}

@test "rl run returns before its networks' teardown, which spares the container started again right after" {
	rl network create --subnet 10.89.27.0/24 n1
	rl run --name x --network n1 --rootfs "$ROOTFS" sh -c 'test -e /again || { touch /again; exit 0; }; exec sleep 1000'
	rl start x
	# The first run's teardown (rl network-teardown ID) has ended.
	for _ in $(seq 200); do
		pgrep -u "$(id -u)" -f "^rl network-teardown" >/dev/null || break
		sleep 0.05
	done
	run rl exec x ip -4 -o addr show eth0
	expect_status 0
	expect_output_has "inet 10.89.27."
	rl rm -f x
	netns_gone
}

#!/usr/bin/env bash
# start.sh DIR: start a real OCI registry (distribution v2, Debian package
# docker-registry) for the tests, as the calling user, listening on
# 127.0.0.1 on a free port, with its config, storage, log, address and pid
# all under DIR. Prints the address (127.0.0.1:PORT), which it also writes
# to DIR/address; the pid goes to DIR/pid. Stop it with stop.sh DIR.
#
# No root and no systemd: the binary runs directly with a config we write.
# Root is needed only to install the package when it is missing.
set -euo pipefail

dir=${1:?usage: start.sh DIR}
registry=/usr/bin/docker-registry

# --- the binary -----------------------------------------------------------
if [[ ! -x $registry ]]; then
	if [[ $(id -u) == 0 ]]; then
		echo "start.sh: installing docker-registry" >&2
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-registry >/dev/null
		# The package enables a system-wide registry on :5000 where systemd
		# runs; the tests never use it, but it is not ours to stop either.
	else
		echo "start.sh: $registry is missing: as root, apt-get install docker-registry (tests/setup.sh does)" >&2
		exit 1
	fi
fi
command -v curl >/dev/null || { echo "start.sh: curl is missing: apt-get install curl" >&2; exit 1; }

# --- the directory --------------------------------------------------------
mkdir -p "$dir"
dir=$(cd "$dir" && pwd) # the config needs an absolute storage path
if [[ -s $dir/pid ]] && kill -0 "$(<"$dir/pid")" 2>/dev/null; then
	echo "start.sh: a registry already runs from $dir (pid $(<"$dir/pid")); stop.sh $dir first" >&2
	exit 1
fi
mkdir -p "$dir/data"
rm -f "$dir/address" "$dir/pid"

# yaml_quote S: S as a single-quoted YAML scalar ('' stands for ').
yaml_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# candidate_port: a port that is free right now. The kernel picks one when
# python3 binds port 0; without python3, a random one below Linux's default
# ephemeral range (32768-60999), so that outgoing connections do not take it.
# Either way another process may take it before the registry binds it:
# the start loop below notices that and tries again.
candidate_port() {
	if command -v python3 >/dev/null; then
		python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
	else
		echo $((20000 + RANDOM % 12000))
	fi
}

# Variables named REGISTRY_* override the config file (distribution reads
# them as REGISTRY_HTTP_ADDR and so on); drop any the caller has set.
for var in $(compgen -e); do
	[[ $var == REGISTRY_* ]] && unset "$var"
done

# With RL_REGISTRY_HTPASSWD set to an htpasswd file (bcrypt), the registry
# requires those credentials (the login tests); /v2/ then answers 401, with
# the same API header, which is all the readiness check looks for.
auth=""
if [[ -n ${RL_REGISTRY_HTPASSWD:-} ]]; then
	auth="auth: {htpasswd: {realm: rl-test, path: $(yaml_quote "$RL_REGISTRY_HTPASSWD")}}"
fi

# --- start, retrying on a port taken in the meantime ----------------------
started=
for attempt in 1 2 3 4 5 6 7 8 9 10; do
	port=$(candidate_port)
	# The minimal config: plain HTTP on loopback only, filesystem storage in
	# DIR/data, deletes allowed (rmi and corrupted-blob tests delete), no auth.
	cat >"$dir/config.yml" <<-EOF
		version: 0.1
		log:
		  level: info
		  fields:
		    service: rl-test-registry
		storage:
		  filesystem:
		    rootdirectory: $(yaml_quote "$dir/data")
		  delete:
		    enabled: true
		  maintenance:
		    uploadpurging:
		      enabled: false
		$auth
		http:
		  addr: 127.0.0.1:$port
		  secret: rl-test-registry-only
		  headers:
		    X-Content-Type-Options: [nosniff]
	EOF
	# Detached from our stdio (and from bats' fd 3, which bats waits on), so
	# that the caller's pipes close when this script exits. A fresh log each
	# attempt: the checks below read it.
	"$registry" serve "$dir/config.yml" </dev/null >"$dir/registry.log" 2>&1 3>&- &
	pid=$!

	# Ready when our registry has logged that it listens (so the port is its
	# own, not another server's that took it first) and GET /v2/ answers 200
	# with distribution's API header. Bounded: 200 polls, 50 ms apart.
	for _ in $(seq 200); do
		if ! kill -0 "$pid" 2>/dev/null; then
			break # exited: the port was taken, or a real failure (see below)
		fi
		if grep -qF "listening on 127.0.0.1:$port" "$dir/registry.log" &&
			headers=$(curl --noproxy '*' -sS --max-time 2 -D - -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null) &&
			[[ ${headers,,} == *"docker-distribution-api-version: registry/2.0"* ]] &&
			kill -0 "$pid" 2>/dev/null; then
			started=1
			break
		fi
		sleep 0.05
	done
	[[ -n $started ]] && break

	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		echo "start.sh: the registry (pid $pid) did not answer on 127.0.0.1:$port; its log:" >&2
		tail -n 20 "$dir/registry.log" >&2
		exit 1
	fi
	wait "$pid" 2>/dev/null || true
	if grep -q "address already in use" "$dir/registry.log"; then
		echo "start.sh: port $port was taken (attempt $attempt), trying another" >&2
		continue
	fi
	echo "start.sh: the registry exited at start; its log:" >&2
	tail -n 20 "$dir/registry.log" >&2
	exit 1
done
if [[ -z $started ]]; then
	echo "start.sh: no free port found after $attempt attempts" >&2
	exit 1
fi

echo "$pid" >"$dir/pid"
echo "127.0.0.1:$port" >"$dir/address"
echo "127.0.0.1:$port"

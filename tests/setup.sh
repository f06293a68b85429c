#!/usr/bin/env bash
# setup.sh [bench] (as root): prepare a machine to run rl's tests (and,
# with "bench", its benchmarks). Installs the Debian packages they use,
# creates the unprivileged test user (RL_TEST_USER, default rltest) with
# subordinate uid/gid ranges, and makes /dev/net/tun and /dev/fuse usable
# by users, as distros ship them, as well as unprivileged ping. Idempotent.
set -euo pipefail
user=${RL_TEST_USER:-rltest}
[[ $(id -u) == 0 ]] || { echo "setup.sh: run as root" >&2; exit 1; }

# gcc and libc6-dev build rl-init's and rl-image's C parts (rl exec and pods
# need rl-init's); the suites: newuidmap, bats, the test rootfs, script(1) and tmux for -t,
# pgrep, shellcheck for `make lint`, and the local registry with the tools
# that build and push the test images (tests/registry), fuse-overlayfs for
# the overlay fallback, slirp4netns and passt (pasta) for the user-mode
# networks and iproute2 (ip) for rootlesskit's slirp4netns driver.
packages=(gcc libc6-dev uidmap bats busybox-static tmux util-linux procps shellcheck docker-registry skopeo jq curl python3 fuse-overlayfs
	slirp4netns passt iproute2)
# netavark, aardvark-dns and the iptables that netavark drives, for the
# user-defined networks (tests/networks.bats).
packages+=(netavark aardvark-dns iptables)
if [[ ${1:-} == bench ]]; then
	# The peers rl is measured against, and the tools the benchmark uses.
	packages+=(bubblewrap runc podman catatonit slirp4netns fuse-overlayfs time jq iperf3)
fi
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "setup.sh: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! id "$user" >/dev/null 2>&1; then
	useradd --create-home --shell /bin/bash "$user"
fi
# useradd adds ranges on Debian; add them where it did not.
for f in /etc/subuid /etc/subgid; do
	grep -q "^$user:" "$f" 2>/dev/null || echo "$user:300000:65536" >>"$f"
done
for dev in /dev/net/tun /dev/fuse; do
	if [[ -e $dev ]]; then chmod 0666 "$dev"; fi
done
# As systemd sets it on distributions: every group may send ICMP echo
# without privileges, which slirp4netns and pasta need to carry ping.
sysctl -qw net.ipv4.ping_group_range="0 2147483647"

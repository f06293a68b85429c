#!/usr/bin/env bash
# mkrootfs.sh DIR: make a minimal root filesystem in DIR from the distro's
# static busybox (Debian/Ubuntu package busybox-static): /bin with busybox
# and its applet links, /etc/passwd and /etc/group with a few users, /tmp,
# /root. Runs as any user; the files belong to whoever runs it.
set -euo pipefail
dir=${1:?usage: mkrootfs.sh DIR}
busybox=${BUSYBOX:-/bin/busybox}
linkage=$(LC_ALL=C ldd "$busybox" 2>&1 || true)
if ! "$busybox" --list >/dev/null 2>&1 || [[ $linkage != *"not a dynamic executable"* ]]; then
	echo "mkrootfs.sh: $busybox is not a static busybox: apt-get install busybox-static" >&2
	exit 1
fi
mkdir -p "$dir"/{bin,etc,root,tmp,var/tmp,home/alice}
chmod 1777 "$dir/tmp" "$dir/var/tmp"
chmod 0700 "$dir/root"
cp "$busybox" "$dir/bin/busybox"
for applet in $("$busybox" --list); do
	[[ $applet == busybox ]] || ln -sf busybox "$dir/bin/$applet"
done
cat >"$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
alice:x:1000:1000:Alice:/home/alice:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$dir/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
wheel:x:10:alice
alice:x:1000:
nogroup:x:65534:
GROUP
echo "rl test rootfs" >"$dir/etc/motd"

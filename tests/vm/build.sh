#!/usr/bin/env bash
# build.sh (as root): build the guest image for rl's VM tests, a Debian
# bookworm system with systemd as PID 1, a pure cgroup v2 hierarchy and a
# lingering unprivileged user `tester` (uid 1000, subordinate ids
# 100000:65536, cpu cpuset io memory pids delegated to its user manager),
# and print the directory that holds it (vmlinuz, initrd.img, rootfs.ext4,
# info). Installs what it needs on the host (qemu-system-x86, debootstrap,
# e2fsprogs) when missing.
#
# The image lives in RL_VM_CACHE (default /var/tmp/rl-vm) under a key made
# from this script's content: an unchanged script reuses the image (as any
# user), a changed one builds a new image and removes the old ones.
# debootstrap's downloaded packages are kept in RL_VM_CACHE/debs.
#
# The guest's packages come from the Debian mirror this machine's apt uses
# (the first "deb" source of suite bookworm with component main, in
# /etc/apt/sources.list.d/*.sources, *.list or /etc/apt/sources.list);
# RL_VM_MIRROR overrides it.
#
# The image itself only knows how to mount the host's 9p share (tag "host")
# at /mnt/host once the tester's user manager runs, run the share's
# guest.sh as root and power off; what runs is up to tests/vm/run.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${RL_VM_CACHE:-/var/tmp/rl-vm}
suite=bookworm
user=tester
uid=1000
# Guest packages: systemd as PID 1 with logind and a user bus (the user
# manager rl's cgroups talk to), newuidmap/newgidmap, the kernel (its 9p
# and overlay modules), and what the suites run: bats, busybox-static for
# tests/mkrootfs.sh, slirp4netns, iproute2, procps, util-linux (nsenter).
packages=systemd,systemd-sysv,dbus,dbus-user-session,libpam-systemd,uidmap,linux-image-amd64,iproute2,procps,kmod,udev,bats,busybox-static,slirp4netns,util-linux

key=$(sha256sum "$here/build.sh" | cut -c1-16)
image=$cache/$key
# stdout carries the image's directory and nothing else.
exec 3>&1 1>&2

log() { printf 'build.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

if [[ -f $image/ok ]]; then
	echo "$image" >&3
	exit 0
fi
[[ $(id -u) == 0 ]] || die "no guest image in $image; building it needs root: sudo $0"

# Host tools: qemu for run.sh, debootstrap, mkfs.ext4 -d (e2fsprogs).
host_packages=(qemu-system-x86 debootstrap e2fsprogs)
missing=()
for p in "${host_packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	log "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# mirror: the URI of the first enabled "deb" source for $suite with the
# main component in this machine's apt configuration.
mirror() {
	local f u
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		# deb822: stanzas separated by blank lines.
		u=$(awk -v suite="$suite" '
			function flush() {
				if (deb && on && has_suite && has_main && uri != "") { print uri; found = 1; exit }
				deb = has_suite = has_main = 0; on = 1; uri = ""
			}
			BEGIN { on = 1 }
			/^[[:space:]]*#/ { next }
			/^[[:space:]]*$/ { flush(); next }
			{ k = tolower($1) }
			k == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			k == "enabled:" && tolower($2) == "no" { on = 0 }
			k == "uris:" { uri = $2 }
			k == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) has_suite = 1 }
			k == "components:" { for (i = 2; i <= NF; i++) if ($i == "main") has_main = 1 }
			END { if (!found) flush() }
		' "$f")
		if [[ -n $u ]]; then
			echo "$u"
			return
		fi
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f $f ]] || continue
		# One-line style: deb [options] URI SUITE COMPONENT...
		u=$(awk -v suite="$suite" '
			$1 != "deb" { next }
			{ sub(/\[[^]]*\]/, ""); if ($3 != suite) next; for (i = 4; i <= NF; i++) if ($i == "main") { print $2; exit } }
		' "$f")
		if [[ -n $u ]]; then
			echo "$u"
			return
		fi
	done
}
url=${RL_VM_MIRROR:-$(mirror)}
[[ -n $url ]] || die "no apt source for $suite main in /etc/apt; set RL_VM_MIRROR to a Debian mirror"

mkdir -p "$cache"
exec {lock}>"$cache/.lock"
flock "$lock"
if [[ -f $image/ok ]]; then # another build finished while we waited
	echo "$image" >&3
	exit 0
fi

# remove_build DIR: remove a build directory. debootstrap mounts proc and
# sys inside the target (and only there): unmount whatever a failed build
# left mounted below DIR first, and never cross into another filesystem.
remove_build() {
	local m
	while read -r m; do
		umount -l "$m" || true
	done < <(awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
	rm -rf --one-file-system "$1"
}
# Builds that were killed (we hold the lock: none is running).
for old in "$cache"/.build.*; do
	if [[ -d $old ]]; then remove_build "$old"; fi
done
work=$(mktemp -d "$cache/.build.XXXXXX")
root=$work/rootfs
cleanup() { remove_build "$work"; }
trap cleanup EXIT
t0=$SECONDS

log "debootstrap $suite from $url into $root"
mkdir -p "$cache/debs"
debootstrap --variant=minbase --components=main --include="$packages" \
	--cache-dir="$cache/debs" "$suite" "$root" "$url" >"$work/debootstrap.log" 2>&1 || {
	tail -n 30 "$work/debootstrap.log" >&2
	die "debootstrap failed (log above)"
}
log "debootstrap done in $((SECONDS - t0)) s"

log "customising the guest"
echo rl-vm >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 rl-vm\n' >"$root/etc/hosts"
# The kernel mounts the root (root=/dev/vda rw): nothing to fsck or wait for.
echo '# the kernel mounts / (root=/dev/vda rw)' >"$root/etc/fstab"

# The test user, its subordinate ids, and lingering (the file `loginctl
# enable-linger` makes): logind starts user@1000.service at boot.
chroot "$root" useradd --create-home --uid "$uid" --shell /bin/bash "$user"
echo "$user:100000:65536" >"$root/etc/subuid"
echo "$user:100000:65536" >"$root/etc/subgid"
mkdir -p "$root/var/lib/systemd/linger"
touch "$root/var/lib/systemd/linger/$user"

# Debian 12's user@.service delegates only "pids memory cpu": io and cpuset
# need this drop-in (without it, IOWeight= is accepted and does nothing).
mkdir -p "$root/etc/systemd/system/user@.service.d"
printf '[Service]\nDelegate=cpu cpuset io memory pids\n' >"$root/etc/systemd/system/user@.service.d/delegate.conf"

# Boot time under TCG: mask what a throw-away VM does not need.
for u in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
	e2scrub_all.timer e2scrub_reap.service fstrim.timer \
	systemd-pstore.service getty@tty1.service \
	systemd-update-utmp.service systemd-update-utmp-runlevel.service \
	systemd-journal-flush.service systemd-random-seed.service \
	systemd-hwdb-update.service systemd-journal-catalog-update.service \
	ldconfig.service systemd-update-done.service \
	modprobe@drm.service modprobe@dm_mod.service modprobe@loop.service \
	dev-hugepages.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
	systemd-sysusers.service; do
	ln -sfn /dev/null "$root/etc/systemd/system/$u"
done
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' >"$root/etc/systemd/journald.conf.d/volatile.conf"

# The runner: mount the host's share, run its guest.sh, power off whatever
# happened (the disk is a -snapshot overlay: nothing to keep).
cat >"$root/usr/local/sbin/rl-vm-runner" <<'EOF'
#!/bin/sh
# rl-vm-runner: mount the host's 9p share (tag "host") at /mnt/host, run its
# guest.sh, power off. Installed by rl's tests/vm/build.sh.
modprobe 9pnet_virtio
mkdir -p /mnt/host
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 host /mnt/host; then
	if [ -x /mnt/host/guest.sh ]; then
		/mnt/host/guest.sh
		echo "rl-vm: guest.sh exited with status $?"
	else
		echo "rl-vm: no guest.sh on the share"
	fi
else
	echo "rl-vm: mounting the 9p share failed"
fi
sync
echo "rl-vm: powering off"
# -ff: straight to reboot(2); results on the share are written through.
systemctl poweroff -ff
EOF
chmod 0755 "$root/usr/local/sbin/rl-vm-runner"
# Wants= + After= user@1000.service: the runner starts once the lingering
# user manager is ready (the same start job logind enqueues for lingering).
# Type=exec, not oneshot: the boot counts as finished while it runs.
cat >"$root/etc/systemd/system/rl-vm-runner.service" <<EOF
[Unit]
Description=rl VM tests: run the host share's guest.sh
Wants=user@$uid.service
After=user@$uid.service systemd-logind.service systemd-user-sessions.service

[Service]
Type=exec
ExecStart=/usr/local/sbin/rl-vm-runner
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOF
ln -sfn /etc/systemd/system/rl-vm-runner.service "$root/etc/systemd/system/multi-user.target.wants/rl-vm-runner.service"

# Smaller image, faster mkfs: no package cache, docs, locales, or drivers
# for hardware a virtio guest does not have.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/*
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/usr/share/info/*
kdir=$(echo "$root"/usr/lib/modules/*)
kver=${kdir##*/}
rm -rf "$kdir"/kernel/drivers/{gpu,media,infiniband,staging,iio,comedi,bluetooth,isdn,hwmon,usb,hid,input/touchscreen,input/joystick} \
	"$kdir"/kernel/drivers/net/{wireless,ethernet} "$kdir"/kernel/sound \
	"$kdir"/kernel/net/{bluetooth,mac80211,wireless}
chroot "$root" depmod -a "$kver"

# A small initramfs: the guest needs only virtio and ext4 to find its root
# (Debian's default, MODULES=most, is 36 MB and slow to unpack under TCG).
sed -i 's/^MODULES=.*/MODULES=list/; s/^COMPRESS=.*/COMPRESS=zstd/' "$root/etc/initramfs-tools/initramfs.conf"
printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic >"$root/etc/initramfs-tools/modules"
chroot "$root" update-initramfs -u -k "$kver" >"$work/initramfs.log" 2>&1 || {
	cat "$work/initramfs.log" >&2
	die "update-initramfs failed"
}

out=$work/image
mkdir "$out"
cp "$root/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$out/initrd.img"
{
	echo "suite=$suite"
	echo "kernel=$kver"
	echo "systemd=$(chroot "$root" dpkg-query -W -f="\${Version}" systemd)"
	echo "bats=$(chroot "$root" dpkg-query -W -f="\${Version}" bats)"
	echo "built=$(date -u +%FT%TZ)"
} >"$out/info"

# mkfs.ext4 -d fills the filesystem from the directory: no loop mount.
# Room for the suites' own files on top; the file is sparse.
mb=$(du -sm "$root" | cut -f1)
mb=$((mb * 13 / 10 + 512))
mkfs.ext4 -q -F -L rl-vm -E lazy_itable_init=1,lazy_journal_init=1 -d "$root" "$out/rootfs.ext4" "${mb}M" >/dev/null
touch "$out/ok"
rm -rf "$image" # an unfinished one
mv "$out" "$image"
log "built $image in $((SECONDS - t0)) s ($(du -sh "$image" | cut -f1) on disk, kernel $kver)"

# Images of older versions of this script.
for old in "$cache"/*; do
	[[ $old != "$image" && -f $old/ok ]] || continue
	log "removing the old image $old"
	rm -rf "$old"
done
echo "$image" >&3

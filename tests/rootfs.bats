#!/usr/bin/env bats
# The root filesystem: copy-on-write overlay, read-only modes, /dev, masked
# and read-only paths, volumes and tmpfs.

load helpers

@test "writes, deletes and renames go to the container's layer; the rootfs is unchanged" {
	rl_run sh -c 'echo new > /etc/new; echo changed >> /etc/passwd; rm /etc/group; mv /etc/motd /etc/renamed; rm -r /home; ls /etc /; cat /etc/renamed'
	expect_status 0
	expect_output_has new
	expect_output_has renamed
	[[ $output != *group* && $output != *motd* && $output != *home* ]]
	rootfs_unchanged
}

@test "each container has its own writable layer" {
	rl_run sh -c 'echo one > /tmp/mine'
	expect_status 0
	rl_run sh -c 'cat /tmp/mine'
	expect_status 1
}

@test "--read-only makes / read-only and puts tmpfs on /tmp, /var/tmp and /run" {
	rl_run --read-only sh -c 'touch /etc/x 2>&1; touch /tmp/x /var/tmp/x /run/x && echo tmp-ok'
	expect_status 0
	expect_output_has "Read-only file system"
	expect_output_has tmp-ok
	rl_run --read-only --read-only-tmpfs=false sh -c 'touch /tmp/x'
	expect_status 1
}

@test "/dev has the standard devices, a private devpts, shm and mqueue" {
	rl_run sh -c 'ls /dev; echo x > /dev/null; head -c 4 /dev/zero | wc -c; head -c 4 /dev/urandom | wc -c; grep -E " /dev/(pts|shm|mqueue) " /proc/self/mounts'
	expect_status 0
	for d in null zero full random urandom tty pts shm mqueue ptmx fd stdin stdout stderr; do
		grep -qx "$d" <<<"$output"
	done
	expect_output_has "devpts /dev/pts devpts"
	expect_output_has "tmpfs /dev/shm tmpfs"
	expect_output_has "mqueue /dev/mqueue mqueue"
	[[ $(grep -cx 4 <<<"$output") == 2 ]]
}

@test "masked paths show nothing and read-only paths cannot be written" {
	rl_run sh -c 'for f in /proc/keys /proc/timer_list /proc/sched_debug /proc/kcore; do [ -e $f ] && wc -c < $f; done; ls -A /sys/firmware /proc/acpi /proc/scsi 2>/dev/null | grep -v : ; echo 1 > /proc/sys/kernel/domainname 2>&1; echo done'
	expect_status 0
	# Every masked file reads as empty and masked dirs list nothing.
	while read -r line; do
		[[ $line == 0 || $line == *"Read-only file system"* || $line == done || -z $line ]] || fail "unexpected: $line"
	done <<<"$output"
	expect_output_has "Read-only file system"
	rl_run sh -c 'grep -E " /proc/(sys|bus|irq|fs) " /proc/self/mounts'
	expect_status 0
	while read -r line; do [[ $line == *" ro,"* ]]; done <<<"$output"
}

@test "/sys is read-only" {
	rl_run sh -c 'touch /sys/x 2>&1; grep " /sys " /proc/self/mounts'
	expect_output_has "Read-only file system"
	expect_output_has " ro,"
}

@test "-v binds a directory or a file, :ro makes it read-only" {
	mkdir "$BATS_TEST_TMPDIR/dir"
	echo content >"$BATS_TEST_TMPDIR/file"
	rl_run -v "$BATS_TEST_TMPDIR/dir:/mnt/dir" -v "$BATS_TEST_TMPDIR/file:/etc/file:ro" \
		sh -c 'echo w > /mnt/dir/w; cat /etc/file; echo x > /etc/file 2>&1'
	expect_status 1
	expect_output_has content
	expect_output_has "Read-only file system"
	[[ $(cat "$BATS_TEST_TMPDIR/dir/w") == w ]]
	[[ $(cat "$BATS_TEST_TMPDIR/file") == content ]]
}

@test "-v with a relative host path" {
	mkdir "$BATS_TEST_TMPDIR/rel"
	cd "$BATS_TEST_TMPDIR"
	rl_run -v ./rel:/rel sh -c 'touch /rel/x'
	expect_status 0
	[[ -f $BATS_TEST_TMPDIR/rel/x ]]
}

@test "a symlink in the image cannot send a -v mount to the host" {
	mkdir "$BATS_TEST_TMPDIR/vol"
	cp -a "$ROOTFS" "$BATS_TEST_TMPDIR/rootfs2"
	ln -s /../../../.. "$BATS_TEST_TMPDIR/rootfs2/escape"
	run rl run --rm --rootfs "$BATS_TEST_TMPDIR/rootfs2" -v "$BATS_TEST_TMPDIR/vol:/escape/target" sh -c 'ls -d /target'
	expect_status 0
	[[ $output == /target ]]
}

@test "--tmpfs mounts a tmpfs with options, noexec by default" {
	rl_run --tmpfs /scratch:size=1m,mode=1777 sh -c 'grep " /scratch " /proc/self/mounts; ls -ld /scratch'
	expect_status 0
	expect_output_has "size=1024k"
	expect_output_has "noexec"
	expect_output_has "drwxrwxrwt"
}

@test "mount_program = fuse-overlayfs in rl.conf: the root is a fuse-overlayfs mount, copy-on-write as with the kernel's" {
	requires rootless
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
	mkdir -p "$XDG_CONFIG_HOME/rl"
	echo "mount_program = $(command -v fuse-overlayfs)" >"$XDG_CONFIG_HOME/rl/rl.conf"
	run rl info
	expect_status 0
	expect_output_has "overlay:   fuse-overlayfs ($(command -v fuse-overlayfs)), set by mount_program"
	rl_run --read-only sh -c 'grep " / " /proc/mounts; touch /etc/x'
	expect_status 1
	expect_output_has "fuse-overlayfs / fuse.fuse-overlayfs ro,"
	rl_run sh -c 'rm /etc/passwd && echo new > /etc/group && mkdir /made && cat /etc/group && ls /etc/passwd'
	expect_status 1
	expect_output_has new
	expect_output_has "No such file"
	rootfs_unchanged
}

@test "a root filesystem that root made: rl makes its mount points in the container's layer" {
	[[ -n ${RL_TEST_FOREIGN_ROOTFS:-} ]] || skip "needs RL_TEST_FOREIGN_ROOTFS, a root filesystem made by root (tests/run.sh makes one)"
	foreign=$RL_TEST_FOREIGN_ROOTFS
	mkdir "$BATS_TEST_TMPDIR/vol"
	echo data >"$BATS_TEST_TMPDIR/vol/f"
	run rl run --rm --name owned-by-root -v "$BATS_TEST_TMPDIR/vol:/etc/ssl/vol:ro" --tmpfs /var/cache/t --rootfs "$foreign" \
		sh -c 'cat /etc/hostname /etc/ssl/vol/f; touch /var/cache/t/x && echo tmpfs; stat -c "%U %a" /etc /var; echo new >/new && cat /new'
	expect_status 0
	[[ ${lines[0]} =~ ^[0-9a-f]{12}$ ]] || fail "no hostname: $output"
	expect_output_has $'data\ntmpfs'
	# the directories rl made keep the tree's modes; the container's root owns them
	expect_output_has $'root 755\nroot 755\nnew'
	# the tree itself is unchanged
	[[ ! -e $foreign/etc/hostname && ! -e $foreign/etc/ssl && ! -e $foreign/new ]]
	# a second start of a kept container finds them made
	run rl run --name kept --rootfs "$foreign" true
	expect_status 0
	run rl start -a kept
	expect_status 0
	rl rm kept
}

@test "a root filesystem that root made, with a directory the container may not enter: one line, naming the owner and the fix" {
	[[ -n ${RL_TEST_FOREIGN_ROOTFS:-} ]] || skip "needs RL_TEST_FOREIGN_ROOTFS, a root filesystem made by root (tests/run.sh makes one)"
	[[ $(id -u) != 0 ]] || skip "real root owns the tree: nothing in it is foreign to root's containers"
	run rl run --rm -v "$BATS_TEST_TMPDIR:/root/sub/mnt" --rootfs "$RL_TEST_FOREIGN_ROOTFS" true
	one_line_error
	expect_output_has "rl: the root filesystem $RL_TEST_FOREIGN_ROOTFS has /root owned by uid 0, outside your user namespace's map: the container's root may not look inside it (mode 0700)"
	expect_output_has "(hint: make the tree yours (sudo chown -R \$USER:\$USER $RL_TEST_FOREIGN_ROOTFS, or unpack it as yourself), or run rl as root"
	# in the background, the monitor's report keeps the error's kind
	run rl run -d --network none -v "$BATS_TEST_TMPDIR:/root/sub/mnt" --rootfs "$RL_TEST_FOREIGN_ROOTFS" true
	one_line_error
	expect_output_has "has /root owned by uid 0, outside your user namespace's map"
	expect_output_has "(hint: make the tree yours"
	# As podman's, the container that failed to start stays.
	run rl ps -a -q
	[[ ${#lines[@]} == 1 ]] || fail "ps -a: $output"
	run rl rm -a
	expect_status 0
}

#!/usr/bin/env bats
# Named and anonymous volumes: rl volume create/ls/inspect/rm/prune/exists,
# -v NAME:/path, -v /path, --mount, --volumes-from, rm -v; and rl network
# prune, which podman scripts run to clean up.

load helpers
bats_require_minimum_version 1.5.0

# teardown removes the test's containers, then its volumes, whose files
# a container made belong to subordinate ids that only rl (through a user
# namespace) can remove.
teardown() {
	local id
	for id in $(rl ps -a -q); do
		rl rm -f "$id" >/dev/null
	done
	rl volume rm -a -f >/dev/null
	assert_nothing_left
}

@test "volume create, ls, inspect, exists, rm" {
	run rl volume create --label app=web --label tier data
	expect_status 0
	[[ $output == data ]]
	run rl volume create
	expect_status 0
	[[ $output =~ ^[0-9a-f]{64}$ ]] || fail "generated name: $output"
	generated=$output
	run rl volume ls
	expect_status 0
	[[ ${lines[0]} == "DRIVER"*"VOLUME NAME" && ${#lines[@]} == 3 ]] || fail "ls: $output"
	run rl volume ls -q --filter label=app=web
	[[ $output == data ]] || fail "filtered: $output"
	# ^dat: the generated name is hex digits, which may start with "da".
	run rl volume ls --noheading --filter name=^dat
	[[ $output == "local"*"data" ]] || fail "noheading: $output"
	run rl volume ls --format json
	[[ $(jq -r '.[0].Name' <<<"$output") == data ]] || fail "json: $output"
	run rl volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{index .Labels "app"}} {{.Mountpoint}}' data
	expect_status 0
	[[ $output == "data local local web $RL_TEST_ROOT/volumes/data/_data" ]] || fail "inspect: $output"
	[[ -d $RL_TEST_ROOT/volumes/data/_data ]]
	run rl volume exists data
	expect_status 0
	[[ -z $output ]]
	run rl volume exists nope
	expect_status 1
	[[ -z $output ]]
	run rl volume rm data "$generated"
	expect_status 0
	[[ ${lines[0]} == data ]]
	run rl volume ls -q
	[[ -z $output ]]
	run rl volume rm data
	expect_status 1
	expect_output_has "no such volume"
	run rl volume rm -f data
	expect_status 0
}

@test "volume create of an existing name fails unless --ignore" {
	rl volume create v
	run rl volume create v
	one_line_error
	expect_output_has "already exists"
	run rl volume create --ignore v
	expect_status 0
	[[ $output == v ]]
}

@test "bad volume names and options: one line, exit 125, nothing created" {
	for args in "a/b" "-x" ".hidden" "--opt type=ext4 v" "--opt device=/dev/sda v" "--opt o=ro v" "--opt size=1m v" "--label =x v" "--driver nfs v"; do
		# shellcheck disable=SC2086 # word splitting wanted
		run rl volume create $args
		one_line_error
	done
	run rl run --rm --rootfs "$ROOTFS" -v a/b:/x true
	one_line_error
	run rl run --rm --rootfs "$ROOTFS" -v v:/x:bogus true
	one_line_error
	run rl run --rm --rootfs "$ROOTFS" --mount type=nfs,target=/x true
	one_line_error
	run rl run --rm --rootfs "$ROOTFS" --mount type=volume,source=v true
	one_line_error
	run rl run --rm --rootfs "$ROOTFS" --volumes-from c:rx true
	one_line_error
	run rl run --rm --rootfs "$ROOTFS" -v v1:/x -v v2:/x true
	one_line_error
	expect_output_has "/x: duplicate mount destination"
	run rl volume ls -q
	[[ -z $output ]] || fail "volumes were made: $output"
}

@test "a named volume is made on first use, keeps its data across containers and its container's removal" {
	rl_run -v data:/data sh -c 'echo kept >/data/f'
	expect_status 0
	run rl volume ls -q
	[[ $output == data ]]
	[[ $(cat "$RL_TEST_ROOT/volumes/data/_data/f") == kept ]]
	rl_run -v data:/other sh -c 'cat /other/f; mount | grep " /other "'
	expect_status 0
	[[ ${lines[0]} == kept ]]
	rl_run -v data:/other:ro sh -c 'touch /other/g'
	expect_status 1
	expect_output_has "Read-only file system"
	rl_run --mount type=volume,source=data,target=/m,readonly cat /m/f
	expect_status 0
	[[ $output == kept ]]
}

@test "a new volume is filled from the image's content at its path, once; nocopy leaves it empty" {
	rl_run -v etc:/etc sh -c 'cat /etc/hostname >/dev/null; ls /etc'
	expect_status 0
	expect_output_has "passwd"
	[[ -f $RL_TEST_ROOT/volumes/etc/_data/passwd ]]
	# Emptied, it stays empty: the copy-up is the first mount's.
	rl_run -v etc:/etc sh -c 'rm -f /etc/passwd; echo x >/etc/mine'
	rl_run -v etc:/etc ls /etc
	expect_status 0
	[[ $output != *passwd* && $output == *mine* ]] || fail "second mount: $output"
	rl_run -v fresh:/home:nocopy ls -A /home
	expect_status 0
	[[ -z $output ]] || fail "nocopy: $output"
	rl_run -v fresh2:/home ls -A /home
	[[ -n $output ]] || fail "the image's /home is empty: the nocopy check proves nothing"
}

@test "copy-up keeps the image's owners and modes inside the user namespace" {
	requires rootless
	# A root whose /home/alice belongs to uid 1000 of the namespace.
	local root=$BATS_TEST_TMPDIR/owned
	cp -a "$ROOTFS" "$root"
	chmod 0750 "$root/home/alice"
	touch "$root/home/alice/.profile"
	unshare --map-root-user --map-auto chown -R 1000:1001 "$root/home/alice"
	run rl run --rm --rootfs "$root" -v home:/home stat -c "%u:%g %a %n" /home/alice /home/alice/.profile
	unshare --map-root-user --map-auto rm -rf "$root"
	expect_status 0
	[[ ${lines[0]} == "1000:1001 750 /home/alice" && ${lines[1]} == "1000:1001 644 /home/alice/.profile" ]] || fail "owners: $output"
}

@test "U gives a volume's content to the container's user" {
	rl_run -v data:/data sh -c 'mkdir /data/d && touch /data/d/f'
	rl_run --user 1000:1000 -v data:/data:U stat -c %u:%g /data /data/d /data/d/f
	expect_status 0
	[[ $output == $'1000:1000\n1000:1000\n1000:1000' ]] || fail "owners: $output"
	rl_run --user 1000:1000 -v data:/data touch /data/mine
	expect_status 0
}

@test "an anonymous volume (-v /path) goes with rm -v and run --rm, not with plain rm" {
	rl run --name keep --rootfs "$ROOTFS" -v /anon sh -c 'echo a >/anon/f'
	run rl volume ls -q
	[[ ${#lines[@]} == 1 && ${lines[0]} =~ ^[0-9a-f]{64}$ ]] || fail "anonymous: $output"
	anon=${lines[0]}
	run rl inspect --format '{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}}{{end}}' keep
	[[ $output == "volume $anon /anon" ]] || fail "inspect: $output"
	run rl volume rm "$anon"
	expect_status 2
	expect_output_has "volume is being used"
	rl rm -v keep
	run rl volume ls -q
	[[ -z $output ]] || fail "left: $output"

	rl run --name plain --rootfs "$ROOTFS" -v /anon true
	rl rm plain
	run rl volume ls -q
	[[ ${#lines[@]} == 1 ]] || fail "plain rm: $output"
	rl volume prune -f
	rl_run -v /anon -v named:/named true
	run rl volume ls -q
	[[ $output == named ]] || fail "run --rm: $output"

	# In the background, the monitor removes them.
	rl run -d --rm --rootfs "$ROOTFS" -v /anon true
	local i
	for i in $(seq 100); do
		run rl volume ls -q
		[[ $output == named ]] && break
		sleep 0.1
	done
	[[ $output == named ]] || fail "run -d --rm left: $output"
}

@test "--volumes-from mounts another container's volumes and binds, :ro read-only" {
	mkdir "$BATS_TEST_TMPDIR/host"
	echo h >"$BATS_TEST_TMPDIR/host/h"
	rl run --name src --rootfs "$ROOTFS" -v data:/data -v "$BATS_TEST_TMPDIR/host:/host" sh -c 'echo d >/data/d'
	rl_run --volumes-from src sh -c 'cat /data/d /host/h; echo w >/data/w'
	expect_status 0
	[[ $output == $'d\nh' ]] || fail "$output"
	rl_run --volumes-from src:ro touch /data/x
	expect_status 1
	expect_output_has "Read-only file system"
	run rl run --rm --rootfs "$ROOTFS" --volumes-from nosuch true
	one_line_error
	expect_output_has "no such container"
}

@test "--mount binds a host path and mounts a tmpfs" {
	mkdir "$BATS_TEST_TMPDIR/host"
	rl_run --mount "type=bind,source=$BATS_TEST_TMPDIR/host,target=/h" --mount type=tmpfs,target=/t,tmpfs-size=1m sh -c 'echo x >/h/x; mount | grep " /t "'
	expect_status 0
	expect_output_has "tmpfs on /t type tmpfs"
	[[ $(cat "$BATS_TEST_TMPDIR/host/x") == x ]]
}

@test "volume rm of a used volume exits 2; -f removes its container first" {
	rl create --name user --rootfs "$ROOTFS" -v data:/data true
	run rl volume rm data
	expect_status 2
	expect_output_has "volume is being used"
	run rl volume ls -q --filter dangling=false
	[[ $output == data ]]
	run rl volume rm -f data
	expect_status 0
	run rl ps -a -q
	[[ -z $output ]] || fail "the container stayed: $output"
}

@test "volume prune removes the unused volumes only; rm -a -f removes them all" {
	rl volume create unused
	rl create --name user --rootfs "$ROOTFS" -v used:/data true
	run rl volume prune <<<n
	expect_status 0
	run rl volume ls -q
	[[ ${#lines[@]} == 2 ]] || fail "prune without yes removed: $output"
	run rl volume prune -f
	expect_status 0
	[[ $output == unused ]] || fail "pruned: $output"
	run rl volume rm -a -f
	expect_status 0
	run rl volume ls -q
	[[ -z $output ]]
	run rl network prune --force
	expect_status 0
	[[ -z $output ]]
}

@test "noexec on a volume refuses to execute from it (126); without it runs" {
	rl_run -v bin:/vol sh -c 'cp /bin/busybox /vol/busybox'
	rl_run -v bin:/vol:noexec,z /vol/busybox true
	expect_status 126
	rl_run -v bin:/vol /vol/busybox true
	expect_status 0
}

@test "NeedsCopyUp holds until the volume has content" {
	rl volume create c
	rl_run -v c:/nothing-here true
	run rl volume inspect --format '{{.NeedsCopyUp}} {{.NeedsChown}}' c
	[[ $output == "true true" ]] || fail "after an empty mount: $output"
	rl_run -v c:/etc true
	run rl volume inspect --format '{{.NeedsCopyUp}} {{.NeedsChown}}' c
	[[ $output == "false false" ]] || fail "after the copy-up: $output"
	rl_run --user 1000:1000 -v fresh:/data sh -c 'echo mine >/data/f'
	expect_status 0
}

@test "volume create -o type=bind,device=DIR and type=tmpfs" {
	mkdir "$BATS_TEST_TMPDIR/dev"
	echo host >"$BATS_TEST_TMPDIR/dev/f"
	run rl volume create -o type=bind -o device=/bogus x
	one_line_error
	expect_output_has "no such file or directory"
	rl volume create -o type=bind -o "device=$BATS_TEST_TMPDIR/dev" b
	rl_run -v b:/vol cat /vol/f
	expect_status 0
	[[ $output == host ]]
	rl volume create -o type=tmpfs -o o=size=2M -o device=tmpfs t
	rl_run -v t:/vol sh -c 'stat -f -c %T /vol; mount | grep " /vol "'
	expect_status 0
	[[ ${lines[0]} == tmpfs && ${lines[1]} == *size=2048k* ]] || fail "$output"
	run rl volume create -o type=ext4 -o device=/dev/sda e
	one_line_error
	run rl volume prune <<<n
	expect_output_has "The following volumes will be removed"
	run rl volume ls -q
	[[ ${#lines[@]} == 2 ]] || fail "prune without yes: $output"
	run rl volume prune -f --filter name=^t
	[[ $output == t ]] || fail "filtered prune: $output"
}

#!/usr/bin/env bats
# --format as podman's: info, version, inspect and pod inspect templates
# over podman's field names, "table" with a header row, JSON in podman's
# shape; and podman's global flags.

load helpers

@test "rl info --format: podman's field names, with rl's values" {
	run rl info --format '{{.Host.OCIRuntime.Name}}|{{.Host.OCIRuntime.Path}}|{{.Store.GraphDriverName}}|{{.Store.RunRoot}}'
	expect_status 0
	[[ $output == "rl-init|$(dirname "$RL_BIN")/rl-init|overlay|$RL_TEST_RUNROOT" ]]
	run rl info --format '{{.Store.GraphRoot}}'
	[[ $output == "$RL_TEST_ROOT"/* ]] || fail "graph root $output is not in the store"
	local rootless=true cgv=v1
	if [[ $(id -u) == 0 ]]; then rootless=false; fi
	if [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]; then cgv=v2; fi
	run rl info --format '{{.Host.Security.Rootless}} {{.Host.CgroupsVersion}} {{.Host.LogDriver}} {{.Host.EventLogger}}'
	[[ $output == "$rootless $cgv k8s-file none" ]]
	run rl info --format '{{.Host.Kernel}}\n{{upper .Host.OS}}'
	[[ ${lines[0]} == "$(uname -r)" && ${lines[1]} == LINUX ]]
	run rl info --format 'table {{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}}'
	[[ ${lines[0]} == "NAME"*"GRAPH DRIVER NAME" && ${lines[1]} == "rl-init"*overlay ]]
	run rl info --format '{{.Host.Nope}}'
	one_line_error
	expect_output_has "invalid --format"
	run rl info --format '{{.Host'
	one_line_error
}

@test "rl info --format json is podman's shape; rl's own account under rl" {
	run rl info --format json
	expect_status 0
	[[ $(jq -r .host.ociRuntime.name <<<"$output") == rl-init ]]
	[[ $(jq -r .store.graphDriverName <<<"$output") == overlay ]]
	[[ $(jq -r .store.imageStore.number <<<"$output") == 0 ]]
	[[ $(jq -r .host.cgroupVersion <<<"$output") == v[12] ]]
	[[ $(jq -r .host.security.rootless <<<"$output") == true || $(id -u) == 0 ]]
	[[ $(jq -r .rl.root <<<"$output") == "$RL_TEST_ROOT" ]]
	run rl version --format '{{.Client.Version}} {{.Client.Os}}'
	[[ $output == *" linux" ]]
	run rl version --format json
	[[ $(jq -r .Client.OsArch <<<"$output") == linux/* ]]
}

@test "rl inspect --format: Go and JSON field names, table headers, podman's fields" {
	run rl run -d --name fmt1 --network none --rootfs "$ROOTFS" sleep 1000
	expect_status 0
	local id=$output
	run rl inspect --format '{{.ID}} {{.Id}} {{.State.Status}} {{.State.RestartCount}} {{.RestartCount}}' fmt1
	[[ $output == "$id $id running 0 0" ]]
	run rl inspect --format '{{json .ExecIDs}} {{json .NetworkSettings.Ports}} {{.HostConfig.LogConfig.Type}} {{.OCIRuntime}}' fmt1
	[[ $output == '[] {} k8s-file rl-init' ]]
	run rl inspect --format 'table {{.Name}} {{.State.Status}}' fmt1
	[[ ${lines[0]} == "NAME"*"STATUS" && ${lines[1]} == "fmt1"*"running" ]]
	run rl inspect --type container --format '{{.Name}}' fmt1
	[[ $output == fmt1 ]]
	run rl inspect --format '{{.Nope}}' fmt1
	one_line_error
	run rl inspect --type pod fmt1
	one_line_error
	expect_output_has "no such pod"
	run rl inspect --type bogus fmt1
	one_line_error
	run rl inspect nosuch
	one_line_error
	expect_output_has 'no such object: "nosuch"'
	rl rm -f fmt1 >/dev/null
}

@test "rl inspect --latest: the container created last; with names, or with none, one line" {
	run rl inspect --latest
	one_line_error
	expect_output_has "no such container"
	run rl create --name old --network none --rootfs "$ROOTFS" true
	expect_status 0
	run rl create --name new --network none --rootfs "$ROOTFS" true
	expect_status 0
	run rl inspect -l --format '{{.Name}}'
	expect_status 0
	[[ $output == new ]]
	run rl container inspect --latest --format '{{.Name}}'
	[[ $output == new ]]
	run rl inspect -l old
	one_line_error
	expect_output_has "contradict"
	rl rm old new >/dev/null
}

@test "rl pod inspect --format and rl inspect of a pod" {
	run rl pod create --name fmtpod --network none
	expect_status 0
	run rl pod inspect fmtpod --format '{{.State}} {{.NumContainers}} {{.Name}} {{.InfraContainerID}}'
	expect_status 0
	[[ $output == "Running 1 fmtpod "[0-9a-f]* ]]
	run rl inspect --format '{{.Name}}' fmtpod
	[[ $output == fmtpod ]]
	run rl pod inspect fmtpod
	[[ $(jq -r '.[0].State' <<<"$output") == Running ]]
	run rl pod rm -f fmtpod
	expect_status 0
}

@test "global flags: --noout, --out, --storage-driver, --runtime-flag, --url" {
	run rl --noout info --format '{{.Store.GraphDriverName}}'
	expect_status 0
	[[ $output == "" ]]
	run rl info --out "$BATS_TEST_TMPDIR/out" --format '{{.Store.GraphDriverName}}'
	expect_status 0
	[[ $output == "" && $(cat "$BATS_TEST_TMPDIR/out") == overlay ]]
	run rl --storage-driver overlay info --format '{{.Store.GraphDriverName}}'
	[[ $output == overlay ]]
	run rl --storage-driver vfs info
	one_line_error
	expect_output_has "overlay only"
	run rl --runtime-flag debug run --rm --rootfs "$ROOTFS" echo hi
	expect_status 0
	[[ ${lines[0]} == "rl: warning: --runtime-flag is ignored"* && ${lines[1]} == hi ]]
	run rl --url tcp://127.0.0.1:1 info
	one_line_error
	run rl --log-level warning info --format '{{.Host.OCIRuntime.Name}}'
	[[ $output == rl-init ]]
	run rl --cgroup-manager cgroupfs info --format '{{.Host.CgroupManager}}'
	[[ $output == cgroupfs ]]
	run rl --cgroup-manager nope info
	one_line_error
}

@test "rl inspect falls back to an image: podman's fields; a container's .Image is the image's id" {
	tar -C "$ROOTFS" -cf "$BATS_TEST_TMPDIR/root.tar" .
	run rl import -q "$BATS_TEST_TMPDIR/root.tar" localhost/fmtimg:1
	expect_status 0
	run rl inspect --format '{{.ID}} {{json .RepoTags}} {{index .RepoDigests 0}}' localhost/fmtimg:1
	expect_status 0
	local id=${output%% *}
	[[ $id =~ ^[0-9a-f]{64}$ && $output == *' ["localhost/fmtimg:1"] localhost/fmtimg@sha256:'* ]] || fail "got $output"
	run rl run --name fmtimgc --network none localhost/fmtimg:1 true
	expect_status 0
	run rl inspect --format '{{.ImageName}} {{.Image}}' fmtimgc
	[[ $output == "localhost/fmtimg:1 $id" ]]
	run rl inspect --type image fmtimgc
	one_line_error
	rl rm fmtimgc >/dev/null
	rl rmi localhost/fmtimg:1 >/dev/null
}

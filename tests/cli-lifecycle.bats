#!/usr/bin/env bats
# podman's lifecycle and listing flags: rm/stop/kill/pod rm with --all,
# --ignore, -t and --cidfile; the exit codes and key phrases of their
# failures; the exists checks; the container and image groups' aliases;
# ps, pod ps and images with --sort, --noheading and --format templates.

load helpers
bats_require_minimum_version 1.5.0

teardown() {
	rl pod rm -t 0 --all --force --ignore >/dev/null 2>&1 || true
	rl rm -t 0 --all --force --ignore >/dev/null 2>&1 || true
	# The image test's image, should it have failed before removing it.
	rl rmi -f localhost/cli-test:1 >/dev/null 2>&1 || true
	assert_nothing_left
}

# created NAME: an rl create'd container that runs true when started.
created() {
	run rl create --network none --name "$1" --rootfs "$ROOTFS" true
	expect_status 0
}

@test "rm of a missing name exits 1 with 'no such container'; -f and --ignore pass over it in silence" {
	run rl rm bogus
	expect_status 1
	[[ ${#lines[@]} == 1 && $output == "rl: "*"no such container"* ]] || fail "$output"
	run rl rm --force bogus
	expect_status 0
	[[ -z $output ]]
	run rl rm --ignore bogus
	expect_status 0
	[[ -z $output ]]
	created keep
	run rl rm --force bogus keep
	expect_status 0
	[[ $output == keep ]]
	run rl ps -aq
	[[ -z $output ]]
}

@test "rm of a running container without -f exits 2 with podman's reason; rm -t 0 -f removes it" {
	detach --name busy sleep 1000
	run rl rm busy
	expect_status 2
	[[ ${#lines[@]} == 1 ]] || fail "$output"
	expect_output_has "container state improper"
	run rl ps -q
	[[ $output == "${id:0:12}" ]]
	run rl rm -t 0 -f busy
	expect_status 0
	[[ $output == busy ]]
}

@test "rm --all removes every container (with -f the running ones too); rm --all with names is refused" {
	created one
	created two
	detach --name three sleep 1000
	run rl rm --all busy
	one_line_error
	run rl rm -a
	expect_status 2
	run rl ps -a --format '{{.Names}}'
	[[ $output == three ]] || fail "$output"
	detach --name four sleep 1000
	run rl rm -t 0 --all --force --ignore
	expect_status 0
	[[ ${#lines[@]} == 2 ]]
	run rl ps -aq
	[[ -z $output ]]
}

@test "rm and stop read the id from --cidfile; a missing file fails unless --ignore" {
	created c
	cid=$(rl inspect --format '{{.Id}}' c)
	echo "$cid" >"$BATS_TEST_TMPDIR/cid"
	run rl stop --cidfile "$BATS_TEST_TMPDIR/nosuch"
	one_line_error
	expect_output_has "reading CIDFile"
	run rl stop --ignore --cidfile "$BATS_TEST_TMPDIR/nosuch"
	expect_status 0
	[[ -z $output ]]
	run rl rm --cidfile "$BATS_TEST_TMPDIR/cid"
	expect_status 0
	[[ $output == "$cid" ]]
}

@test "rm -t and stop -t refuse bad values: one line, exit 125, nothing changed" {
	detach --name t sleep 1000
	for bad in "-t -2" "-t abc" "--time=x"; do
		# shellcheck disable=SC2086 # the flag and its value are two words
		run rl stop $bad t
		one_line_error
		# shellcheck disable=SC2086
		run rl rm -f $bad t
		one_line_error
	done
	run rl ps --format '{{.Names}} {{.State}}'
	[[ $output == "t running" ]] || fail "$output"
}

@test "stop prints the names as given (full ids with --all); stop of a missing name exits 125 unless --ignore" {
	detach --name s1 sleep 1000
	run rl stop -t 0 s1
	expect_status 0
	[[ $output == s1 ]]
	detach sleep 1000
	run rl stop -t0 --all
	expect_status 0
	[[ $output == "$id" ]]
	run rl stop bogus
	one_line_error
	expect_output_has "no such container"
	run rl stop --ignore bogus
	expect_status 0
	[[ -z $output ]]
	run rl ps -a --format '{{.State}}'
	[[ ${#lines[@]} == 2 && $(sort -u <<<"$output") == exited ]] || fail "$output"
}

@test "stop warns in podman's words when it resorts to SIGKILL; --timeout is -t; -t 0 kills without a warning" {
	detach --name stubborn sleep 1000
	run --separate-stderr rl stop --timeout 1 stubborn
	expect_status 0
	[[ $output == stubborn ]]
	[[ $stderr == *"StopSignal SIGTERM failed to stop container stubborn in 1 seconds, resorting to SIGKILL"* ]] || fail "$stderr"
	run rl inspect --format '{{.State.ExitCode}}' stubborn
	[[ $output == 137 ]]
	detach --name quick sleep 1000
	run --separate-stderr rl stop -t 0 quick
	expect_status 0
	[[ -z $stderr ]] || fail "$stderr"
	# -t -1: the stop signal and no SIGKILL (podman's "without limit").
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	detach --name polite -v "$BATS_TEST_TMPDIR:/t" sh -c 'trap "exit 5" TERM; echo > /t/ready; while :; do sleep 0.1; done'
	timeout 20 cat "$BATS_TEST_TMPDIR/ready" >/dev/null
	run --separate-stderr timeout 20 "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" stop -t -1 polite
	expect_status 0
	[[ -z $stderr ]] || fail "$stderr"
	run rl inspect --format '{{.State.ExitCode}}' polite
	[[ $output == 5 ]] || fail "$output"
	run rl rm -t -1 -f polite
	expect_status 0
}

@test "a container that rl stop waits for is 'stopping' in inspect and ps; one that rl kill signalled stays 'running'" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready" "$BATS_TEST_TMPDIR/term"
	detach --name slow -v "$BATS_TEST_TMPDIR:/t" sh -c 'trap "echo > /t/term" TERM; trap "" USR1; echo > /t/ready; while :; do sleep 0.1; done'
	timeout 20 cat "$BATS_TEST_TMPDIR/ready" >/dev/null
	rl kill -s USR1 slow
	run rl inspect --format '{{.State.Status}}' slow
	[[ $output == running ]] || fail "after kill: $output"
	"$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" stop -t 30 slow >/dev/null 2>&1 &
	stopper=$!
	timeout 20 cat "$BATS_TEST_TMPDIR/term" >/dev/null
	run rl inspect --format '{{.State.Status}} {{.State.Running}}' slow
	[[ $output == "stopping true" ]] || fail "inspect: $output"
	run rl ps --format '{{.Names}} {{.Status}}'
	[[ $output == "slow Stopping" ]] || fail "ps: $output"
	rl kill slow
	wait "$stopper"
	run rl inspect --format '{{.State.Status}} {{.State.StoppedByUser}}' slow
	[[ $output == "exited true" ]] || fail "after the stop: $output"
	created never
	run rl inspect --format '{{.State.StoppedByUser}}' never
	[[ $output == false ]]
}

@test "kill -a signals every running container; kill -s takes -NAME and -NUMBER; bad signals are refused" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready"
	detach --name k -v "$BATS_TEST_TMPDIR:/t" sh -c 'trap "exit 4" USR1; echo > /t/ready; while :; do sleep 0.1; done'
	timeout 20 cat "$BATS_TEST_TMPDIR/ready" >/dev/null
	run rl kill -s -SIGUSR1 k
	expect_status 0
	[[ $output == k ]]
	run rl wait k
	[[ $output == 4 ]]
	detach sleep 1000
	run rl kill -a -s -9
	expect_status 0
	[[ $output == "$id" ]]
	for bad in 0 -0 SIGBADSIG - 65 -65 99999999; do
		run rl kill -s "$bad" bogus
		one_line_error
	done
	run rl kill -s 65 bogus
	expect_output_has "valid signals are 1 through 64"
}

@test "kill -s with a fault signal (ILL, TRAP, FPE, BUS, SEGV, SYS) reaches the container's command, as any other" {
	mkfifo -m 0666 "$BATS_TEST_TMPDIR/ready" "$BATS_TEST_TMPDIR/got"
	detach --name traps -v "$BATS_TEST_TMPDIR:/t" sh -c 'for s in ILL TRAP FPE BUS SEGV SYS USR1; do trap "echo $s > /t/got" $s; done; echo > /t/ready; while :; do sleep 0.1; done'
	timeout 20 cat "$BATS_TEST_TMPDIR/ready" >/dev/null
	for s in ILL TRAP FPE BUS SEGV SYS USR1; do
		rl kill -s "$s" traps
		run timeout 20 cat "$BATS_TEST_TMPDIR/got"
		[[ $output == "$s" ]] || fail "kill -s $s: got '$output'"
	done
	run rl inspect --format '{{.State.Status}}' traps
	[[ $output == running ]]
}

@test "wait --ignore prints -1 for a missing container; wait of a missing one exits 125" {
	run rl wait bogus
	one_line_error
	expect_output_has "no such container"
	run rl wait --ignore bogus
	expect_status 0
	[[ $output == -1 ]]
}

@test "start -i and start -a print a created container's output and exit with its code" {
	run rl create --network none --name att --rootfs "$ROOTFS" sh -c 'echo hello; exit 3'
	expect_status 0
	run rl start -i att
	expect_status 3
	[[ $output == hello ]]
	run rl start --attach att
	expect_status 3
	[[ $output == hello ]]
}

@test "container exists, image exists and pod exists: exit 0 or 1, nothing printed" {
	created here
	run rl container exists here
	expect_status 0
	[[ -z $output ]]
	run rl container exists bogus
	expect_status 1
	[[ -z $output ]]
	run rl container exists --external here
	expect_status 0
	run rl image exists localhost/bogus:1
	expect_status 1
	[[ -z $output ]]
	run rl pod exists bogus
	expect_status 1
	[[ -z $output ]]
	run rl pod create --name p
	expect_status 0
	run rl pod exists p
	expect_status 0
	[[ -z $output ]]
	run rl container exists
	one_line_error
}

@test "the container group has podman's verbs: ls, list, ps, inspect, rm, stop, start, kill, wait" {
	created g
	run rl container ls -a --format '{{.Names}}'
	[[ $output == g ]]
	run rl container list -a -q
	[[ ${#output} == 12 ]]
	run rl container ps -a --noheading --format '{{.Names}}'
	[[ $output == g ]]
	run rl container inspect --format '{{.State.Status}}' g
	expect_status 0
	[[ $output == created ]]
	run rl container start g
	expect_status 0
	run rl container wait g
	[[ $output == 0 ]]
	run rl container stop g
	expect_status 0
	run rl container kill g
	one_line_error
	run rl container rm g
	[[ $output == g ]]
	run rl container inspect g
	one_line_error
	expect_output_has "no such container"
}

@test "an image: image exists, image ls/list, images --all --format, inspect falls back to it, image rm" {
	tar -C "$ROOTFS" -cf "$BATS_TEST_TMPDIR/root.tar" .
	run rl import "$BATS_TEST_TMPDIR/root.tar" localhost/cli-test:1
	expect_status 0
	run rl image exists localhost/cli-test:1
	expect_status 0
	[[ -z $output ]]
	run rl images --all --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	[[ $output =~ ^localhost/cli-test:1\ [0-9a-f]{12}$ ]] || fail "$output"
	run rl image ls --noheading
	[[ ${#lines[@]} == 1 && $output == localhost/cli-test* ]] || fail "$output"
	run rl image list -n --format 'table {{.Repository}}'
	[[ $output == localhost/cli-test ]] || fail "$output"
	run rl images --format 'table {{.Repository}} {{.ID}}'
	[[ ${lines[0]} == "REPOSITORY IMAGE ID" ]] || fail "$output"
	run rl inspect localhost/cli-test:1
	expect_status 0
	expect_output_has '"RepoTags": ['
	run rl inspect nosuchthing
	one_line_error
	expect_output_has "no such object"
	run rl image inspect --format "{{.Id}}" localhost/cli-test:1
	[[ $output =~ ^[0-9a-f]{64}$ ]] || fail "$output"
	id=$output
	# untag: the names go, the image stays (by its id); a name it lacks is refused.
	rl tag localhost/cli-test:1 localhost/cli-test:2 localhost/other
	run rl untag localhost/cli-test:1 localhost/cli-test:2 localhost/other
	expect_status 0
	run rl image exists localhost/cli-test:2
	expect_status 1
	run rl untag localhost/cli-test:1 localhost/never
	one_line_error
	expect_output_has "tag not known"
	run rl image untag "$id"
	expect_status 0
	run rl image exists localhost/cli-test:1
	expect_status 1
	run rl image exists "$id"
	expect_status 0
	run rl run --rm --network none "$id" true
	expect_status 0
	rl tag "$id" localhost/cli-test:1
	run rl image rm localhost/cli-test:1
	expect_status 0
	run rl image exists localhost/cli-test:1
	expect_status 1
	run rl image inspect localhost/cli-test:1
	one_line_error
	expect_output_has "image not known"
	run rl rmi localhost/cli-test:1
	expect_status 1
	[[ ${#lines[@]} == 1 ]] && expect_output_has "image not known"
}

@test "ps --noheading, --sort, --external, --last, and templates over podman's fields" {
	run rl ps --noheading
	expect_status 0
	[[ -z $output ]]
	run rl ps -a --external
	[[ ${#lines[@]} == 1 ]]
	created b
	detach --name a sleep 1000
	run rl ps -a --sort names --format '{{.Names}}--{{.State}}'
	[[ ${lines[0]} == a--running && ${lines[1]} == b--created ]] || fail "$output"
	run rl ps -a --sort created --format '{{.Names}}'
	[[ ${lines[0]} == b && ${lines[1]} == a ]] || fail "$output"
	run rl ps -n 1 --format '{{.Names}}'
	[[ $output == a ]]
	run rl ps --no-trunc --format '{{.ID}} {{.Command}} {{.Names}} {{.State}} {{.Status}}'
	[[ $output =~ ^$id\ sleep\ 1000\ a\ running\ Up ]] || fail "$output"
	run rl ps --format 'table {{.ID}}\t{{.Names}}\t{{.PodName}}'
	[[ ${lines[0]} =~ ^CONTAINER\ ID\ +NAMES\ +POD\ NAME$ && ${#lines[@]} == 2 ]] || fail "$output"
	run rl ps --format '{{.Labels}}|{{.Label "none"}}|'
	[[ $output == "||" ]] || fail "$output"
	run rl ps --format json
	[[ $(jq -r '.[0].Names' <<<"$output") == a ]]
	run rl ps -a --filter status=stopped --filter exited=0 --format '{{.Names}}'
	[[ -z $output ]]
	run rl ps -a --filter "id=${id:0:3}" --format '{{.Names}}'
	[[ $output == a ]]
	run rl ps -a --filter "id=${id:0:3}" --filter "id=^${id^^}" --format '{{.Names}}'
	[[ $output == a ]]
	run rl ps --sort colour
	one_line_error
	run rl ps --format '{{.Nope}}'
	one_line_error
	run rl ps --filter exited=x
	one_line_error
}

@test "pod create --label; pod ps --noheading and --format over podman's fields; a bad --label is refused" {
	run rl pod create --label mylabel=v1 --label other=v2 lp
	expect_status 0
	pid=$output
	run rl pod ps --format '{{.Name}} {{.Labels}} {{.Label "mylabel"}}'
	[[ $output == "lp mylabel=v1,other=v2 v1" ]] || fail "$output"
	run rl pod ps --format '{{json .Labels}}'
	[[ $output == '"mylabel=v1,other=v2"' ]] || fail "$output"
	run rl pod ps --format json
	[[ $(jq -r '.[0].Labels.mylabel' <<<"$output") == v1 ]]
	run rl pod ps --no-trunc --format '{{.ID}} {{.Status}} {{.NumberOfContainers}}'
	[[ $output == "$pid Running 1" ]] || fail "$output"
	run rl pod ps --noheading
	[[ ${#lines[@]} == 1 && $output == "${pid:0:12}"* ]] || fail "$output"
	run rl pod inspect --format '{{.Name}}: {{.ID}} : {{.NumContainers}} : {{.Labels}} {{.State}}' lp
	[[ $output == "lp: $pid : 1 : map[mylabel:v1 other:v2] Running" ]] || fail "$output"
	run rl pod inspect --format '{{.InfraContainerID}} {{(index .Containers 0).ID}}' lp
	read -r infra first <<<"$output"
	[[ $infra =~ ^[0-9a-f]{64}$ && $first == "$infra" ]] || fail "$output"
	run rl pod inspect --format '{{.Nope}}' lp
	one_line_error
	run rl pod create --label nokey --name bad
	one_line_error
	run rl pod exists bad
	expect_status 1
}

@test "pod rm: a missing pod exits 1 ('no such pod') unless -f or --ignore; -t 0 --all --force removes every pod" {
	run rl pod rm bogus
	expect_status 1
	[[ ${#lines[@]} == 1 ]] && expect_output_has "no such pod"
	run rl pod rm -t -1 --force bogus
	expect_status 0
	[[ -z $output ]]
	run rl pod rm --ignore bogus
	expect_status 0
	rl pod create --name p1 >/dev/null
	rl pod create --name p2 >/dev/null
	run rl run -d --network none --pod p1 --rootfs "$ROOTFS" sleep 1000
	expect_status 0
	run rl pod rm p1
	one_line_error
	run rl pod rm -t 0 --all --force
	expect_status 0
	[[ ${#lines[@]} == 2 ]]
	run rl pod ps -q
	[[ -z $output ]]
	run rl ps -aq
	[[ -z $output ]]
}

@test "pod stop -t, pod start and pod stop --all" {
	rl pod create --name ps1 >/dev/null
	run rl pod stop -t 0 ps1
	expect_status 0
	[[ $output == ps1 ]]
	run rl pod ps --format '{{.Status}}'
	[[ $output == Exited ]] || fail "$output"
	run rl pod start ps1
	expect_status 0
	run rl pod stop --all -t 0
	expect_status 0
	run rl pod stop -t -2 ps1
	one_line_error
}

@test "start of a container whose command is missing exits 125; wait of a created container returns at once" {
	run rl create --network none --name nocmd --rootfs "$ROOTFS" /no/such/command
	expect_status 0
	run timeout 20 "$RL_BIN" --root "$RL_TEST_ROOT" --runroot "$RL_TEST_RUNROOT" wait nocmd
	expect_status 0
	run rl start nocmd
	expect_status 125
	[[ ${#lines[@]} == 1 && $output == "rl: "* ]] || fail "$output"
	run rl wait nocmd
	expect_status 0
	rl rm nocmd
}

@test "pod kill signals the pod's containers; bad signals and missing pods are refused" {
	rl pod create --name pk >/dev/null
	run rl run -d --network none --pod pk --name pk-sleep --rootfs "$ROOTFS" sleep 1000
	expect_status 0
	run rl pod kill -s -KILL pk
	expect_status 0
	[[ $output == pk ]]
	run rl wait pk-sleep
	[[ $output == 137 ]] || fail "$output"
	run rl pod kill -s SIGBADSIG pk
	one_line_error
	run rl pod kill bogus
	one_line_error
	expect_output_has "no such pod"
}

@test "rm of a pod's infra container is refused, with -f too; rm --depend removes the pod and its containers" {
	rl pod create --name dp >/dev/null
	run rl create --pod dp --rootfs "$ROOTFS" true
	expect_status 0
	member=$output
	infra=$(rl pod inspect --format '{{.InfraContainerID}}' dp)
	run rl rm "$infra"
	one_line_error
	expect_output_has "cannot be removed without removing the pod"
	run rl rm --force "$infra"
	one_line_error
	run rl rm --depend "$infra"
	expect_status 0
	[[ ${#lines[@]} == 2 && $output == *"$infra"* && $output == *"$member"* ]] || fail "$output"
	run rl pod exists dp
	expect_status 1
	created alone
	run rl rm --depend alone
	expect_status 0
	[[ $output == alone ]]
}

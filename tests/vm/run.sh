#!/usr/bin/env bash
# run.sh [SUITE.bats...]: run rl's VM suites (default: every tests/vm/*.bats)
# in a throw-away Debian bookworm guest with systemd as PID 1 and a pure
# cgroup v2 hierarchy, as its unprivileged user tester inside tester's
# systemd login session, against bin/rl, bin/rl-init and bin/rl-image
# (`make build`). Prints the TAP output as it comes and, last,
# "bats (vm): N passed, N failed, N skipped"; exits non-zero when a test
# failed or the VM did not come up or finish (with the console's tail).
#
# build.sh makes (or reuses) the image; building needs root, running does
# not. The guest boots under qemu (TCG unless /dev/kvm is usable) with
# -snapshot (the image never changes) and no network device, and shares a
# staged directory over virtio-9p (see README.md for its layout); the
# guest writes the TAP output and bats' status back into it and powers
# off. qemu is killed whenever this script exits.
#
# Environment: RL_VM_BOOT_TIMEOUT (s, default 180; one retry), RL_VM_TIMEOUT (s, whole
# run, default 2400), RL_VM_MEM (MiB, 2048), RL_VM_SMP (2), RL_VM_ACCEL
# (auto, kvm or tcg), RL_VM_FILTER (bats --filter REGEX), RL_VM_JOURNAL=1
# (keep the guest's journal even when all passed), RL_VM_KEEP=1 (keep the
# run directory: console log, share, results; it is kept anyway when
# something failed), RL_VM_CACHE (build.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
boot_timeout=${RL_VM_BOOT_TIMEOUT:-180}
run_timeout=${RL_VM_TIMEOUT:-2400}

now_ms() {
	local t=${EPOCHREALTIME//[!0-9]/}
	echo $((10#$t / 1000))
}
secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# suites: the names to run; paths: where they are (a suite from elsewhere
# is staged beside the others).
suites=()
paths=()
if (($# == 0)); then set -- "$here"/*.bats; fi
for s in "$@"; do
	[[ -f $s ]] || s=$here/$(basename "$s")
	[[ -f $s ]] || {
		echo "run.sh: no suite $s" >&2
		exit 1
	}
	suites+=("$(basename "$s")")
	paths+=("$s")
done
for b in rl rl-init rl-image rl-kube; do
	[[ -x $top/bin/$b ]] || {
		echo "run.sh: $top/bin/$b is missing: make build" >&2
		exit 1
	}
done

t=$(now_ms)
image=$("$here/build.sh")
build_ms=$(($(now_ms) - t))
echo "# vm: image $image ($(secs "$build_ms") s to build or find)"

work=$(mktemp -d /tmp/rl-vm.XXXXXX)
share=$work/share
out=$share/out
qpid=""
keep=${RL_VM_KEEP:-0}

# alive: true while qemu runs (a zombie not yet reaped counts as gone).
alive() {
	local state
	[[ -n $qpid ]] || return 1
	state=$(awk '{print $3}' "/proc/$qpid/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z ]]
}

# stop_vm: kill qemu (politely first) and reap it.
stop_vm() {
	if alive; then
		kill "$qpid" 2>/dev/null || true
		for _ in {1..50}; do
			alive || break
			sleep 0.1
		done
		alive && kill -KILL "$qpid" 2>/dev/null
	fi
	if [[ -n $qpid ]]; then wait "$qpid" 2>/dev/null || true; fi
	qpid=""
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_vm
	if [[ $keep == 1 ]]; then
		echo "# vm: run directory kept: $work (console.log, share/out/)"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The share, as the guest sees it at /mnt/host:
#   guest.sh              run as root by the image's rl-vm-runner
#   suites, filter        which suites (names in rl/tests/vm), bats --filter
#   rl/bin/               rl, rl-init, rl-image
#   rl/tests/             helpers.bash, mkrootfs.sh
#   rl/tests/vm/          this directory, plus helpers.bash and mkrootfs.sh
#                         unless it has its own: `load helpers` and
#                         `load ../helpers` both work, and helpers.bash's
#                         setup_file finds mkrootfs.sh beside the suite
#   out/                  written by the guest: ready, tap, suites-ms,
#                         journal.txt (on failure), rc (last)
mkdir -p "$share/rl/bin" "$share/rl/tests/vm" "$out"
: >"$out/tap"
cp "$top/bin/rl" "$top/bin/rl-init" "$top/bin/rl-image" "$top/bin/rl-kube" "$share/rl/bin/"
cp "$top/tests/helpers.bash" "$top/tests/mkrootfs.sh" "$share/rl/tests/"
cp -r "$here/." "$share/rl/tests/vm/"
cp "${paths[@]}" "$share/rl/tests/vm/"
for f in helpers.bash mkrootfs.sh; do
	[[ -e $share/rl/tests/vm/$f ]] || cp "$top/tests/$f" "$share/rl/tests/vm/$f"
done
install -m 0755 "$here/guest.sh" "$share/guest.sh"
printf '%s\n' "${suites[@]}" >"$share/suites"
printf '%s' "${RL_VM_FILTER:-}" >"$share/filter"
if [[ ${RL_VM_JOURNAL:-0} == 1 ]]; then : >"$share/journal"; fi
chmod -R a+rX "$share"

# KVM where it is usable: /dev/kvm alone is not enough (a guest without
# nested virtualisation can have it and no vmx/svm: qemu aborts).
# -cpu qemu64 under TCG: -cpu max boots slower (emulated AVX paths).
accel=(-accel 'tcg,thread=multi' -cpu qemu64)
case ${RL_VM_ACCEL:-auto} in
kvm) accel=(-accel kvm -cpu host) ;;
auto)
	if [[ -w /dev/kvm ]] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
		accel=(-accel kvm -cpu host)
	fi
	;;
esac
qemu=(qemu-system-x86_64 -name rl-vm -nodefaults -no-user-config -display none
	-machine q35 "${accel[@]}" -m "${RL_VM_MEM:-2048}" -smp "${RL_VM_SMP:-2}"
	-kernel "$image/vmlinuz" -initrd "$image/initrd.img"
	-append "root=/dev/vda rw console=ttyS0 quiet loglevel=3 systemd.show_status=0 systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all rd.udev.log_level=3 panic=-1"
	-drive "file=$image/rootfs.ext4,format=raw,if=virtio,cache=unsafe" -snapshot
	-virtfs "local,path=$share,mount_tag=host,security_model=none,id=host"
	-chardev "file,id=con,path=$work/console.log" -serial chardev:con
	-no-reboot)

# tap_off: how much of out/tap has been printed; flush_tap prints the rest.
tap_off=0
flush_tap() {
	local size
	size=$(stat -c %s "$out/tap" 2>/dev/null) || return 0
	if ((size > tap_off)); then
		tail -c +"$((tap_off + 1))" "$out/tap" | head -c "$((size - tap_off))"
		tap_off=$size
	fi
}

# boot: start the VM and wait until the guest is ready (it writes
# out/ready once tester's user manager runs); sets error when it is not.
boot() {
	error=""
	start=$(now_ms)
	"${qemu[@]}" </dev/null >"$work/qemu.log" 2>&1 &
	qpid=$!
	until [[ -e $out/ready ]]; do
		if ! alive && [[ ! -e $out/ready ]]; then
			error="the VM stopped before it was ready"
			return
		fi
		if (($(now_ms) - start > boot_timeout * 1000)); then
			error="the VM was not ready within $boot_timeout s"
			return
		fi
		sleep 0.2
	done
}

boot
if [[ -n $error ]]; then
	# Under TCG a boot now and then stalls early (soft lockups on the
	# console); a second boot of the same pristine image has not.
	echo "# vm: $error; booting once more (first console kept as console-first.log)"
	stop_vm
	mv "$work/console.log" "$work/console-first.log"
	boot
fi

if [[ -z $error ]]; then
	ready=$(now_ms)
	# shellcheck disable=SC1091 # key=value lines written by guest.sh
	. "$out/ready"
	echo "# vm: ready in $(secs $((ready - start))) s: kernel ${kernel:-?}, systemd ${systemd:-?}, /sys/fs/cgroup ${cgroupfs:-?}, user@1000 ${user_manager:-?} at $(secs $((${user_manager_up_us:-0} / 1000))) s after the kernel started"
	# Then out/tap as bats writes it, and out/rc when bats is done.
	until [[ -e $out/rc ]]; do
		flush_tap
		if ! alive && [[ ! -e $out/rc ]]; then
			error="the VM stopped before the suites finished"
			break
		fi
		if (($(now_ms) - start > run_timeout * 1000)); then
			error="the suites did not finish within $run_timeout s (RL_VM_TIMEOUT)"
			break
		fi
		sleep 0.5
	done
	flush_tap
fi

rc=""
if [[ -z $error ]]; then
	done_ms=$(now_ms)
	rc=$(<"$out/rc")
	# The guest powers off right after writing rc.
	for _ in {1..300}; do
		alive || break
		sleep 0.1
	done
	if alive; then echo "# vm: the guest did not power off within 30 s; killing qemu"; fi
	echo "# vm: suites took $(secs $((done_ms - ready))) s ($(secs "$(<"$out/suites-ms")") s in the guest), power-off $(secs $(($(now_ms) - done_ms))) s, total $(secs $(($(now_ms) - start + build_ms))) s"
fi

status=0
passed=$(grep -Ec '^ok [0-9]+ ' "$out/tap" || true)
skipped=$(grep -Ec '^ok [0-9]+ .* # skip' "$out/tap" || true)
failed=$(grep -Ec '^not ok [0-9]+ ' "$out/tap" || true)
if [[ -n $error ]]; then
	echo "not ok 0 vm: $error"
	echo "# console (last 40 lines of $work/console.log):"
	tail -n 40 "$work/console.log" 2>/dev/null | sed 's/^/#   /'
	if [[ -s $work/qemu.log ]]; then sed 's/^/# qemu: /' "$work/qemu.log"; fi
	failed=$((failed + 1))
elif [[ $rc != 0 ]] && ((failed == 0)); then
	echo "not ok 0 vm: bats exited with status $rc"
	failed=$((failed + 1))
fi
if ((failed)) || [[ $rc != 0 ]]; then
	status=1
	keep=1
	if [[ -e $out/journal.txt ]]; then echo "# vm: the guest's journal: $out/journal.txt"; fi
fi
echo "bats (vm): $((passed - skipped)) passed, $failed failed, $skipped skipped"
exit $status

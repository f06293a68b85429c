#!/usr/bin/env bash
# stop.sh DIR: stop the registry that start.sh DIR started, and remove DIR
# (its config, storage and log). Idempotent: a DIR that is gone, or whose
# registry already exited, is fine.
set -euo pipefail

dir=${1:?usage: stop.sh DIR}
[[ -d $dir ]] || exit 0
dir=$(cd "$dir" && pwd)

# alive PID: true while PID runs (a zombie waiting for its parent to reap it
# counts as gone: it no longer serves anything).
alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z ]]
}

if [[ -s $dir/pid ]]; then
	pid=$(<"$dir/pid")
	# Only signal it if it still is our registry: the pid may have been reused
	# since. Its command line names our config file.
	if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/config.yml"; then
		kill -TERM "$pid" 2>/dev/null || true
		# Bounded wait (10 s), then SIGKILL. Not our child, so no `wait`.
		for _ in $(seq 200); do
			alive "$pid" || break
			sleep 0.05
		done
		if alive "$pid"; then
			echo "stop.sh: registry $pid ignored SIGTERM; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
			for _ in $(seq 100); do
				alive "$pid" || break
				sleep 0.05
			done
		fi
	fi
fi
rm -rf -- "$dir"

#!/usr/bin/env bash
# bench/base.sh COMMIT CMD...: build COMMIT of this repository, the base to
# compare with, and run CMD (tests/bench/run.sh) with RL_BENCH_BASE naming
# the directory of its rl, rl-init and rl-image.
#
# The build is of COMMIT's own tree (git archive, so the work tree, the
# index and the repository's worktree list stay as they are), extracted
# into a temporary directory, built there with its own Makefile (make
# build, with GO and the GOFLAGS of the environment, VERSION being git
# describe of COMMIT) and removed when CMD ends. With COMMIT empty, CMD
# runs without RL_BENCH_BASE: no base to compare with.
#
# Exit status: CMD's, or 1 when COMMIT cannot be built.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
commit=${1?usage: base.sh COMMIT CMD...}
shift
(($#)) || {
	echo "usage: base.sh COMMIT CMD..." >&2
	exit 2
}
# Go from its release tarball lives in /usr/local/go (README.md).
[[ ! -d /usr/local/go/bin ]] || PATH=$PATH:/usr/local/go/bin

if [[ -z $commit ]]; then
	echo "# no base commit (BENCH_BASE is empty): rl is not compared with a base build" >&2
	exec "$@"
fi
id=$(git -C "$top" rev-parse -q --verify "$commit^{commit}") || {
	echo "base.sh: $commit is not a commit of $top" >&2
	exit 1
}
version=$(git -C "$top" describe --always "$id")

dir=$(mktemp -d "${TMPDIR:-/tmp}/rl-bench-base.XXXXXX")
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "# building the base $commit ($version) in $dir" >&2
git -C "$top" archive "$id" | tar -x -C "$dir"
# stdout is the benchmark's report: make's lines go with the progress.
make -C "$dir" --no-print-directory build GO="${GO:-go}" VERSION="$version" >&2 || {
	echo "base.sh: building $commit failed" >&2
	exit 1
}
RL_BENCH_BASE=$dir/bin "$@"

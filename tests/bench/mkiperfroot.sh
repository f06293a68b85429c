#!/usr/bin/env bash
# mkiperfroot.sh DIR: add the host's iperf3 (Debian package iperf3) to the
# root filesystem in DIR (tests/mkrootfs.sh makes one), with what it needs
# to run there: /usr/bin/iperf3, each shared library that ldd names for it,
# at the path ldd names, and the dynamic loader. The copies are regular
# files (symbolic links followed), so DIR does not depend on the host's
# /lib and can be bound, imported or tarred as it is. iperf3 writes its
# stream buffers to a temporary file in /tmp (unless TMPDIR names another
# directory): this script makes /tmp where DIR has none. Runs as any user.
set -euo pipefail
dir=${1:?usage: mkiperfroot.sh DIR}
iperf3=$(command -v iperf3) || {
	echo "mkiperfroot.sh: iperf3 is not installed: apt-get install iperf3" >&2
	exit 1
}

# copy FILE: copy FILE to the same path under DIR.
copy() {
	mkdir -p "$dir/$(dirname "$1")"
	cp -L "$1" "$dir/$1"
}

mkdir -p "$dir/tmp" "$dir/usr/bin"
cp -L "$iperf3" "$dir/usr/bin/iperf3"
# ldd prints "libX.so => /path (0x...)" for a library, "/path (0x...)" for
# the loader and "linux-vdso.so.1 (0x...)" for the vDSO, which is no file.
files=$(LC_ALL=C ldd "$iperf3" | awk '
	$2 == "=>" && $3 ~ /^\// { print $3 }
	$1 ~ /^\// { print $1 }
	$2 == "=>" && $3 !~ /^\// { print "missing " $1 }')
while read -r file; do
	[[ $file != missing* ]] || {
		echo "mkiperfroot.sh: ldd finds no ${file#missing } for $iperf3" >&2
		exit 1
	}
	copy "$file"
done <<<"$files"

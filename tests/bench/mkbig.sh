#!/usr/bin/env bash
# mkbig.sh ADDRESS [LAYOUT]: build the pull benchmark's image and push it
# with skopeo to the plain-HTTP test registry at ADDRESS (127.0.0.1:PORT):
#
#   ADDRESS/rl-test/big:latest  five layers of RL_BENCH_LAYER_MB (40) MiB
#                               each, ~200 MiB: layer 1 is the busybox root
#                               filesystem plus /data/random1, layers 2-5
#                               add /data/random2 ... /data/random5
#
# The busybox layer and the image config (Env, Cmd, architecture) are those
# of rl-test/busybox in LAYOUT, an OCI layout that tests/registry/mkimages.sh
# wrote; without LAYOUT, mkimages.sh builds one first (and pushes its own
# test images to ADDRESS too). The random files come from SHAKE-256 of a
# fixed seed, so that they do not compress away and every run gives the same
# bytes; tar headers are fixed (owner 0:0, mtime of the busybox layer) and
# gzip -n stores no name or time, so the digests are the same on every run
# with the same busybox. Prints the image's reference, its manifest's digest
# and the summed size of its layers as pushed (compressed), in bytes.
set -euo pipefail

address=${1:?usage: mkbig.sh ADDRESS [LAYOUT]}
layout=${2:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mib=${RL_BENCH_LAYER_MB:-40}

die() {
	echo "mkbig.sh: $*" >&2
	exit 1
}

# TLS checks are off for this registry: loopback only.
[[ $address =~ ^(127\.[0-9.]+|localhost|\[::1\]):[0-9]+$ ]] ||
	die "$address is not a loopback address; this script pushes only to a local test registry"
for tool in skopeo jq tar gzip sha256sum python3; do
	command -v "$tool" >/dev/null || die "$tool is missing: apt-get install $tool"
done

umask 022 # modes in the layers must not depend on the caller's umask
work=$(mktemp -d "${TMPDIR:-/tmp}/rl-mkbig.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
if [[ -z $layout ]]; then
	layout=$work/base
	"$here/../registry/mkimages.sh" "$address" "$layout" >/dev/null
fi
out=$work/layout
mkdir -p "$out/blobs/sha256" "$work/tree/data"
printf '{"imageLayoutVersion":"1.0.0"}\n' >"$out/oci-layout"

# blob DIGEST: the path of a blob of the base layout.
blob() { echo "$layout/blobs/sha256/${1#sha256:}"; }

base_manifest=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "busybox") | .digest' \
	"$layout/index.json")
[[ -n $base_manifest ]] || die "$layout holds no image named busybox (a layout from tests/registry/mkimages.sh)"
base_config=$(blob "$(jq -r .config.digest "$(blob "$base_manifest")")")
base_layer=$(blob "$(jq -r '.layers[0].digest' "$(blob "$base_manifest")")")
created=$(jq -r .created "$base_config")

# put FILE: move FILE into the new layout's blobs; print its descriptor
# (MEDIA-TYPE is filled in by the caller).
put() {
	local hex size
	hex=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	mv -- "$1" "$out/blobs/sha256/$hex"
	jq -cn --arg d "sha256:$hex" --argjson s "$size" '{digest: $d, size: $s}'
}

layers=() diff_ids=()
for i in 1 2 3 4 5; do
	python3 -c 'import hashlib, sys
sys.stdout.buffer.write(hashlib.shake_256(sys.argv[1].encode()).digest(int(sys.argv[2]) << 20))' \
		"rl-bench-big-$i" "$mib" >"$work/tree/data/random$i"
	tarball=$work/layer.tar
	op=c # create; layer 1 appends to the busybox layer's tar
	if ((i == 1)); then
		gzip -dc "$base_layer" >"$tarball"
		op=r
	fi
	tar "-${op}f" "$tarball" --format=gnu --numeric-owner --owner=0 --group=0 --no-recursion \
		--mtime="$created" --no-xattrs --no-acls --no-selinux -C "$work/tree" data "data/random$i"
	rm -f -- "$work/tree/data/random$i"
	diff_ids+=("sha256:$(sha256sum "$tarball" | cut -d' ' -f1)")
	gzip -n -c "$tarball" >"$work/layer.tar.gz"
	rm -f -- "$tarball"
	layers+=("$(put "$work/layer.tar.gz")")
done

# The config: busybox's, with these layers and a history entry for each.
jq -c --arg created "$created" --argjson ids "$(printf '%s\n' "${diff_ids[@]}" | jq -R . | jq -cs .)" '
	.rootfs.diff_ids = $ids
	| .history = [range($ids | length) as $i
		| {created: $created, created_by: "mkbig.sh: \(if $i == 0 then "busybox root + " else "" end)/data/random\($i + 1)"}]
' "$base_config" >"$work/config.json"
config=$(put "$work/config.json")
jq -cn --argjson config "$config" --argjson layers "$(printf '%s\n' "${layers[@]}" | jq -cs .)" '
	{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
	 config: ({mediaType: "application/vnd.oci.image.config.v1+json"} + $config),
	 layers: [$layers[] | {mediaType: "application/vnd.oci.image.layer.v1.tar+gzip"} + .]}
' >"$work/manifest.json"
manifest=$(put "$work/manifest.json")
jq -cn --argjson m "$manifest" '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json"} + $m
	+ {annotations: {"org.opencontainers.image.ref.name": "big"}}]}' >"$out/index.json"

# --insecure-policy: our own image, no signatures for policy.json to ask
# for; --preserve-digests: fail rather than let skopeo rewrite the manifest.
ref=$address/rl-test/big:latest
skopeo --insecure-policy copy --quiet --dest-tls-verify=false --preserve-digests \
	--digestfile "$work/pushed" "oci:$out:big" "docker://$ref"
[[ $(<"$work/pushed") == "$(jq -r .digest <<<"$manifest")" ]] ||
	die "pushed $ref as $(<"$work/pushed"), built $(jq -r .digest <<<"$manifest")"
echo "$ref $(<"$work/pushed") $(printf '%s\n' "${layers[@]}" | jq -s 'map(.size) | add')"

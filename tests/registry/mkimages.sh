#!/usr/bin/env bash
# mkimages.sh ADDRESS [LAYOUT]: build rl's test images from the distro's
# static busybox and push them with skopeo to the plain-HTTP registry at
# ADDRESS (as start.sh prints it: 127.0.0.1:PORT):
#
#   ADDRESS/rl-test/busybox:latest  one layer: the busybox root filesystem
#   ADDRESS/rl-test/layers:latest   three layers: a whiteout, an opaque dir,
#                                   a file owned by 1234:1234, image config
#   ADDRESS/rl-test/highuid:latest  busybox plus a file owned by 200000
#
# (README.md beside this script says what each is for.) The images are
# written by hand as an OCI image layout (tar layers, sha256, JSON from jq)
# in a temporary directory, or in LAYOUT when given (which must not exist or
# be empty; it is kept). Layers are reproducible: entries sorted bytewise,
# fixed mtimes (SOURCE_DATE_EPOCH, default 2024-01-01), numeric owners,
# gzip -n; so with the same busybox the digests are the same on every run.
#
# Prints one line per digest: "REF KIND DIGEST", KIND being manifest,
# config, layerN (the compressed blob as pushed) or diff_idN (the sha256 of
# layer N's uncompressed tar, as the config lists it).
#
# Needs no root: ownership is written into the tar headers, not the disk.
set -euo pipefail

address=${1:?usage: mkimages.sh ADDRESS [LAYOUT]}
layout=${2:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
epoch=${SOURCE_DATE_EPOCH:-1704067200}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

# The registry is plain HTTP and TLS checks are off: loopback only.
case $address in
127.*:* | localhost:* | "[::1]:"*) ;;
*)
	echo "mkimages.sh: $address is not a loopback address; this script pushes only to a local test registry" >&2
	exit 1
	;;
esac
for tool in skopeo jq tar gzip sha256sum; do
	command -v "$tool" >/dev/null || { echo "mkimages.sh: $tool is missing: apt-get install $tool" >&2; exit 1; }
done

# The image's architecture, in Go's (and OCI's) names.
case $(uname -m) in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
armv7l | armv6l) arch=arm ;;
i?86) arch=386 ;;
ppc64le) arch=ppc64le ;;
s390x) arch=s390x ;;
riscv64) arch=riscv64 ;;
*) echo "mkimages.sh: unknown machine $(uname -m)" >&2; exit 1 ;;
esac

umask 022 # modes in the layers must not depend on the caller's umask
work=$(mktemp -d "${TMPDIR:-/tmp}/rl-mkimages.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
if [[ -z $layout ]]; then
	layout=$work/layout
elif [[ -e $layout && -n $(ls -A -- "$layout") ]]; then
	echo "mkimages.sh: $layout is not empty" >&2
	exit 1
fi
mkdir -p "$layout/blobs/sha256"
printf '{"imageLayoutVersion":"1.0.0"}\n' >"$layout/oci-layout"

# add_blob FILE: move FILE into the layout's blobs; print its digest.
add_blob() {
	local hex
	hex=$(sha256sum "$1" | cut -d' ' -f1)
	mv -- "$1" "$layout/blobs/sha256/$hex"
	echo "sha256:$hex"
}

# The image being assembled: its layers' descriptors (JSON), their diff_ids
# and history entries. begin_image resets them; add_layer appends.
begin_image() {
	layers=()
	diff_ids=()
	history=()
}

# add_layer STAGE COMMENT [PATH=UID:GID ...]: tar the tree STAGE as the next
# layer of the image. Every entry is owned by 0:0 except each PATH given,
# owned by UID:GID. Entry names are relative ("bin/sh", as docker writes
# them), sorted bytewise; the special-owner entries are appended last.
add_layer() {
	local stage=$1 comment=$2
	shift 2
	local tarball=$work/layer.tar spec path diff_id digest
	local -A owner=()
	for spec in "$@"; do
		owner[${spec%%=*}]=${spec#*=}
	done
	# Same header for every entry whatever the disk says: mtime, no
	# xattrs/ACLs/SELinux labels, numeric ids only (no user names).
	local common=(--format=gnu --numeric-owner --no-recursion --mtime="@$epoch"
		--no-xattrs --no-acls --no-selinux -C "$stage")
	(cd "$stage" && find . -mindepth 1 -printf '%P\n') | LC_ALL=C sort >"$work/all"
	printf '%s\n' "${!owner[@]}" | LC_ALL=C sort >"$work/special"
	LC_ALL=C grep -vxF -f "$work/special" "$work/all" >"$work/plain" || true
	tar -cf "$tarball" "${common[@]}" --owner=0 --group=0 --verbatim-files-from -T "$work/plain"
	while IFS= read -r path; do
		[[ -n $path ]] || continue
		[[ -e $stage/$path ]] || { echo "mkimages.sh: $stage/$path is missing" >&2; exit 1; }
		tar -rf "$tarball" "${common[@]}" --owner="${owner[$path]%%:*}" --group="${owner[$path]#*:}" -- "$path"
	done <"$work/special"

	diff_id=sha256:$(sha256sum "$tarball" | cut -d' ' -f1)
	gzip -n -c "$tarball" >"$work/layer.tar.gz" # -n: no name or time in the header
	digest=$(add_blob "$work/layer.tar.gz")
	rm -f -- "$tarball"
	layers+=("$(jq -cn --arg d "$digest" --argjson s "$(stat -c %s "$layout/blobs/sha256/${digest#sha256:}")" \
		'{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}')")
	diff_ids+=("$diff_id")
	history+=("$(jq -cn --arg c "$created" --arg b "$comment" '{created: $c, created_by: $b}')")
}

# end_image NAME CONFIG: write the image config (the runtime part, CONFIG, as
# JSON) and the manifest for the layers added since begin_image, and name
# the manifest NAME in the layout's index.
manifests=()
end_image() {
	local name=$1 runtime=$2 config manifest
	jq -cn --arg created "$created" --arg arch "$arch" --argjson config "$runtime" \
		--argjson diff_ids "$(printf '%s\n' "${diff_ids[@]}" | jq -R . | jq -cs .)" \
		--argjson history "$(printf '%s\n' "${history[@]}" | jq -cs .)" \
		'{created: $created, architecture: $arch, os: "linux", config: $config,
		  rootfs: {type: "layers", diff_ids: $diff_ids}, history: $history}' >"$work/config.json"
	config=$(add_blob "$work/config.json")
	jq -cn --arg c "$config" --argjson cs "$(stat -c %s "$layout/blobs/sha256/${config#sha256:}")" \
		--argjson layers "$(printf '%s\n' "${layers[@]}" | jq -cs .)" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		  layers: $layers}' >"$work/manifest.json"
	manifest=$(add_blob "$work/manifest.json")
	manifests+=("$(jq -cn --arg d "$manifest" --argjson s "$(stat -c %s "$layout/blobs/sha256/${manifest#sha256:}")" \
		--arg n "$name" \
		'{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
		  annotations: {"org.opencontainers.image.ref.name": $n}}')")
	# For the summary printed after the push.
	summary+=("$name manifest $manifest" "$name config $config")
	local i
	for i in "${!layers[@]}"; do
		summary+=("$name layer$((i + 1)) $(jq -r .digest <<<"${layers[$i]}")" "$name diff_id$((i + 1)) ${diff_ids[$i]}")
	done
}
summary=()

path_env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- the trees ------------------------------------------------------------
# The busybox root filesystem (bin/ with applet links, etc/passwd, ...).
"$here/../mkrootfs.sh" "$work/busybox"

# layers, layer 1: busybox plus files that the upper layers delete or hide.
cp -a "$work/busybox" "$work/layers1"
mkdir -p "$work/layers1/data" "$work/layers1/opaque"
echo keep >"$work/layers1/data/keep"
echo gone >"$work/layers1/data/gone"
echo old1 >"$work/layers1/opaque/old1"
echo old2 >"$work/layers1/opaque/old2"

# layers, layer 2: whiteout of /data/gone (an empty file named .wh.gone),
# /opaque made opaque (the marker .wh..wh..opq hides old1 and old2) with one
# new file, and /owned/by1234 owned by 1234:1234.
mkdir -p "$work/layers2/data" "$work/layers2/opaque" "$work/layers2/owned"
: >"$work/layers2/data/.wh.gone"
: >"$work/layers2/opaque/.wh..wh..opq"
echo new >"$work/layers2/opaque/new"
echo by1234 >"$work/layers2/owned/by1234"

# layers, layer 3: one more file, for the config's Cmd to print.
mkdir -p "$work/layers3/etc"
echo layer3 >"$work/layers3/etc/layer3"

# highuid, layer 2: a file owned by a uid (and gid) beyond a 65536-id range.
mkdir -p "$work/highuid2/highuid"
echo by200000 >"$work/highuid2/highuid/by200000"

# --- the images -----------------------------------------------------------
begin_image
add_layer "$work/busybox" "busybox root filesystem (tests/mkrootfs.sh)"
end_image busybox "$(jq -cn --arg p "$path_env" \
	'{Env: [$p], Entrypoint: null, Cmd: ["sh"], WorkingDir: "/"}')"

begin_image
add_layer "$work/layers1" "busybox + /data/keep /data/gone /opaque/old1 /opaque/old2"
add_layer "$work/layers2" "whiteout /data/gone; opaque /opaque with new; /owned/by1234 owned 1234:1234" \
	owned/by1234=1234:1234
add_layer "$work/layers3" "add /etc/layer3"
end_image layers "$(jq -cn --arg p "$path_env" \
	'{User: "", Env: [$p, "FOO=bar"], Entrypoint: ["/bin/sh", "-c"],
	  Cmd: ["echo from-image-config; cat /etc/layer3"], WorkingDir: "/data",
	  ExposedPorts: {"80/tcp": {}, "5353/udp": {}}, StopSignal: "SIGUSR1",
	  Labels: {"org.rl-test.from": "image", "shared": "image"}}')"

begin_image
add_layer "$work/busybox" "busybox root filesystem (tests/mkrootfs.sh)"
add_layer "$work/highuid2" "/highuid/by200000 owned 200000:200000" \
	highuid/by200000=200000:200000
end_image highuid "$(jq -cn --arg p "$path_env" \
	'{Env: [$p], Entrypoint: null, Cmd: ["sh"], WorkingDir: "/"}')"

mkdir -p "$work/spoiled2"
echo "this layer's blob is overwritten in the registry by the tests" >"$work/spoiled2/spoiled"

begin_image
add_layer "$work/busybox" "busybox root filesystem (tests/mkrootfs.sh)"
add_layer "$work/spoiled2" "/spoiled, a layer of its own for tests to corrupt"
end_image spoiled "$(jq -cn --arg p "$path_env" \
	'{Env: [$p], Entrypoint: null, Cmd: ["sh"], WorkingDir: "/"}')"

printf '%s\n' "${manifests[@]}" | jq -cs '{schemaVersion: 2, manifests: .}' >"$layout/index.json"

# --- push -----------------------------------------------------------------
# --insecure-policy: these are our own images, with no signatures to check,
# so the host's policy.json (if any) has no say. --preserve-digests: fail
# rather than let skopeo rewrite a manifest, so the digests printed hold.
for name in busybox layers highuid spoiled; do
	skopeo --insecure-policy copy --quiet --dest-tls-verify=false --preserve-digests \
		--digestfile "$work/pushed" "oci:$layout:$name" "docker://$address/rl-test/$name:latest"
	want=$(jq -r --arg n "$name" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n) | .digest' "$layout/index.json")
	if [[ $(<"$work/pushed") != "$want" ]]; then
		echo "mkimages.sh: pushed $name as $(<"$work/pushed"), built $want" >&2
		exit 1
	fi
done

for line in "${summary[@]}"; do
	echo "$address/rl-test/${line/ /:latest }"
done

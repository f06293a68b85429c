package backend

import (
	"slices"
	"strings"

	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/storage"
)

// resolvedName is the name of the image img, which ref was found as
// (found: the name the lookup found it by), as podman's ps shows a
// container's image: the reference fully qualified, as it resolved. A
// short name becomes the name it resolved to (busybox:
// docker.io/library/busybox:latest, or localhost/busybox:latest where
// that is the image's name), a digest stays one
// (docker.io/library/x@sha256:…). An image named by its id, or a prefix
// of it, has "": rl ps shows what the user wrote.
func resolvedName(ref string, img *storage.Image, found reference.Named) string {
	// One of the image's names, the one the user wrote.
	if named, err := Normalize(ref); err == nil && slices.Contains(img.Names, named.String()) {
		return named.String()
	}
	if found == nil || isIDRef(ref, img.ID) {
		return ""
	}
	return found.String()
}

// isIDRef is true when ref names the image id by (a prefix of) its hex,
// with or without "sha256:".
func isIDRef(ref, id string) bool {
	hex := strings.TrimPrefix(ref, "sha256:")
	return hex != "" && strings.HasPrefix(id, hex)
}

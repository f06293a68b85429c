package store

import (
	"slices"
	"strings"
)

// defaultDomain is the registry of a name without one (docker's rule),
// whose official images live under library/.
const defaultDomain = "docker.io"

// ImageForms are the names an image is known by to rl ps --filter
// ancestor, from its name (State.ImageName, fully qualified by rl-image,
// or, for a container of rl before it, as the user wrote it): the whole
// name; the name without its tag or digest; its path without the
// registry (rl-test/busybox for 127.0.0.1:5000/rl-test/busybox:latest);
// and, for an image of the default registry, the short names docker shows
// (busybox:latest and busybox for docker.io/library/busybox:latest).
func ImageForms(name string) []string {
	if name == "" {
		return nil
	}
	domain, path, tag := splitImageName(name)
	repo := path
	if domain != "" {
		repo = domain + "/" + path
	}
	forms := []string{name, repo, path}
	if domain == "" || domain == defaultDomain {
		short := strings.TrimPrefix(path, "library/")
		if tag != "" {
			forms = append(forms, short+":"+tag)
		}
		forms = append(forms, short)
	}
	var unique []string
	for _, f := range forms {
		if !slices.Contains(unique, f) {
			unique = append(unique, f)
		}
	}
	return unique
}

// splitImageName splits an image reference into its registry ("" for
// none), its path and its tag ("" for none; a digest is dropped), with
// docker's rule for the registry: the first component when it has a dot
// or a colon (a port), is localhost, or has upper-case letters (which a
// path may not).
func splitImageName(name string) (domain, path, tag string) {
	path, _, _ = strings.Cut(name, "@")
	if i := strings.IndexByte(path, '/'); i >= 0 {
		first := path[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first {
			domain, path = first, path[i+1:]
		}
	}
	if i := strings.LastIndexByte(path, ':'); i >= 0 {
		path, tag = path[:i], path[i+1:]
	}
	return domain, path, tag
}

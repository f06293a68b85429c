package config

import "maps"

// MergeLabels returns an image's labels overridden by the container's
// own, as podman shows them in .Config.Labels; nil when both are empty.
func MergeLabels(image, own map[string]string) map[string]string {
	if len(image)+len(own) == 0 {
		return nil
	}
	out := maps.Clone(image)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, own)
	return out
}

package opts

import (
	"fmt"
	"strings"
)

// ParseVolumeLabels parses `rl volume create --label` values KEY=VALUE
// (or KEY alone, an empty value, as podman takes it) into a map.
func ParseVolumeLabels(labels []string) (map[string]string, error) {
	out := map[string]string{}
	for _, l := range labels {
		key, value, _ := strings.Cut(l, "=")
		if key == "" || strings.ContainsAny(key, " \t\n\x00") || strings.ContainsAny(value, "\n\x00") {
			return nil, fmt.Errorf("invalid --label %q: want KEY=VALUE", l)
		}
		out[key] = value
	}
	return out, nil
}

package volume

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Filter is a parsed `rl volume ls --filter` list: a volume matches when
// it matches every key, and a key when it matches any of its values, as in
// podman.
type Filter struct {
	conds map[string][]func(v *Volume, inUse bool) bool
}

// ParseFilter parses KEY=VALUE expressions: name (a regular expression),
// label (KEY or KEY=VALUE), driver, dangling (true or false) and anonymous.
func ParseFilter(exprs []string) (Filter, error) {
	f := Filter{conds: map[string][]func(*Volume, bool) bool{}}
	for _, e := range exprs {
		key, value, ok := strings.Cut(e, "=")
		if !ok {
			return Filter{}, fmt.Errorf("invalid filter %q: want KEY=VALUE", e)
		}
		cond, err := condition(key, value)
		if err != nil {
			return Filter{}, fmt.Errorf("invalid filter %q: %w", e, err)
		}
		f.conds[key] = append(f.conds[key], cond)
	}
	return f, nil
}

func condition(key, value string) (func(*Volume, bool) bool, error) {
	switch key {
	case "name":
		re, err := regexp.Compile(value)
		if err != nil {
			return nil, err
		}
		return func(v *Volume, _ bool) bool { return re.MatchString(v.Name) }, nil
	case "label":
		k, val, hasValue := strings.Cut(value, "=")
		return func(v *Volume, _ bool) bool {
			got, ok := v.Labels[k]
			return ok && (!hasValue || got == val)
		}, nil
	case "driver":
		return func(v *Volume, _ bool) bool { return v.Driver == value }, nil
	case "dangling", "anonymous":
		want, err := strconv.ParseBool(value)
		if err != nil {
			return nil, fmt.Errorf("%s takes true or false", key)
		}
		if key == "anonymous" {
			return func(v *Volume, _ bool) bool { return v.Anonymous == want }, nil
		}
		return func(_ *Volume, inUse bool) bool { return inUse != want }, nil
	}
	return nil, fmt.Errorf("unknown key %q: use name, label, driver, dangling or anonymous", key)
}

// Match is true when v (used by a container or not) passes every key.
func (f Filter) Match(v *Volume, inUse bool) bool {
	for _, conds := range f.conds {
		any := false
		for _, c := range conds {
			if c(v, inUse) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	return true
}

// ParseOptions checks `rl volume create --opt` values for the local
// driver: copy and nocopy (whether the first mount fills the volume from
// the image). Mounting a device or a file system type (type=, device=,
// o=) needs root, which rl does not have.
func ParseOptions(opts []string) (map[string]string, error) {
	out := map[string]string{}
	for _, o := range opts {
		key, value, _ := strings.Cut(o, "=")
		if key != "copy" && key != "nocopy" {
			return nil, fmt.Errorf("invalid volume option %q for driver local: rl takes copy and nocopy (type=, device= and o= mount a file system, which needs root)", o)
		}
		out[key] = value
	}
	return out, nil
}

package volume

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
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
// the image); type=bind with device=DIR (the volume is that host
// directory) and type=tmpfs (a new tmpfs at each mount, with o= its
// size=, mode=, nr_inodes=), as podman's local driver takes them.
func ParseOptions(opts []string) (map[string]string, error) {
	out := map[string]string{}
	for _, o := range opts {
		key, value, _ := strings.Cut(o, "=")
		switch key {
		case "copy", "nocopy", "type", "device", "o":
		default:
			return nil, fmt.Errorf("invalid volume option %q for driver local: rl takes type=bind|tmpfs, device=, o=, copy and nocopy", o)
		}
		out[key] = value
	}
	switch out["type"] {
	case "":
		if _, ok := out["device"]; ok {
			return nil, errors.New("invalid volume option device for driver local: it needs type=bind or type=tmpfs")
		}
		if _, ok := out["o"]; ok {
			return nil, errors.New("invalid volume option o for driver local: it needs type=bind or type=tmpfs")
		}
	case "bind":
		dev := out["device"]
		if !filepath.IsAbs(dev) {
			return nil, fmt.Errorf("invalid volume option device for driver local: type=bind needs device=ABSOLUTE-DIR, not %q", dev)
		}
		if err := unix.Access(dev, unix.F_OK); err != nil {
			return nil, fmt.Errorf("invalid volume option device for driver local: %s: %w", dev, err)
		}
		for _, w := range strings.Split(out["o"], ",") {
			if !slices.Contains([]string{"", "bind", "rbind", "ro", "rw"}, w) {
				return nil, fmt.Errorf("invalid volume option o=%s for type=bind: use bind, rbind, ro or rw", w)
			}
		}
	case "tmpfs":
		for _, w := range strings.Split(out["o"], ",") {
			key, _, _ := strings.Cut(w, "=")
			if !slices.Contains([]string{"", "size", "mode", "nr_inodes", "uid", "gid"}, key) {
				return nil, fmt.Errorf("invalid volume option o=%s for type=tmpfs: use size=, mode=, nr_inodes=, uid= or gid=", w)
			}
		}
	default:
		return nil, fmt.Errorf("invalid volume option type=%s for driver local: use bind or tmpfs (mounting a device needs root)", out["type"])
	}
	return out, nil
}

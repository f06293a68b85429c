package netconfig

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Filter is a parsed `rl network ls --filter` list: a network matches when
// it matches every key, and a key when it matches any of its values, as in
// podman.
type Filter struct {
	conds map[string][]func(n *Network, inUse bool) bool
}

// ParseFilter parses KEY=VALUE expressions: name (a regular expression),
// id (a prefix), driver, label (KEY or KEY=VALUE) and dangling (true or
// false: used by no container).
func ParseFilter(exprs []string) (Filter, error) {
	f := Filter{conds: map[string][]func(*Network, bool) bool{}}
	for _, e := range exprs {
		key, value, ok := strings.Cut(e, "=")
		if !ok {
			return Filter{}, fmt.Errorf("invalid filter %q: want KEY=VALUE (hint: name=, id=, driver=, label=, dangling=)", e)
		}
		cond, err := condition(key, value)
		if err != nil {
			return Filter{}, fmt.Errorf("invalid filter %q: %w", e, err)
		}
		f.conds[key] = append(f.conds[key], cond)
	}
	return f, nil
}

func condition(key, value string) (func(*Network, bool) bool, error) {
	switch key {
	case "name":
		re, err := regexp.Compile(value)
		if err != nil {
			return nil, err
		}
		return func(n *Network, _ bool) bool { return re.MatchString(n.Name) }, nil
	case "id":
		return func(n *Network, _ bool) bool { return strings.HasPrefix(n.ID, value) }, nil
	case "driver":
		return func(n *Network, _ bool) bool { return n.Driver == value }, nil
	case "label":
		k, v, hasValue := strings.Cut(value, "=")
		return func(n *Network, _ bool) bool {
			got, ok := n.Labels[k]
			return ok && (!hasValue || got == v)
		}, nil
	case "dangling":
		want, err := strconv.ParseBool(value)
		if err != nil {
			return nil, fmt.Errorf("dangling takes true or false")
		}
		return func(_ *Network, inUse bool) bool { return inUse != want }, nil
	}
	return nil, fmt.Errorf("unknown key %q: use name, id, driver, label or dangling", key)
}

// Match is true when n, used by a container or not (inUse), passes f.
func (f Filter) Match(n *Network, inUse bool) bool {
	for _, conds := range f.conds {
		ok := false
		for _, c := range conds {
			ok = ok || c(n, inUse)
		}
		if !ok {
			return false
		}
	}
	return true
}

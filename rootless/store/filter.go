package store

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Filter selects containers by conditions on their state, as rl ps
// --filter gives them: KEY=VALUE, where conditions of one key are
// alternatives and conditions of different keys must all hold (docker's
// rule). The zero Filter selects every container.
type Filter struct {
	byKey map[string][]func(State) bool
}

// FilterError is a condition that ParseFilter refuses.
type FilterError struct {
	// Expr is the condition as given (KEY=VALUE).
	Expr string
	Err  error
}

func (e *FilterError) Error() string { return fmt.Sprintf("invalid filter %q: %v", e.Expr, e.Err) }
func (e *FilterError) Unwrap() error { return e.Err }

// ParseFilter parses conditions KEY=VALUE with the keys name (a regular
// expression), id (a regular expression from the id's start), status,
// exited (an exit code), label (KEY or KEY=VALUE: Labels must be read),
// ancestor (an image by name, short name or id prefix), health and pod (a
// name or id prefix).
func ParseFilter(exprs []string) (Filter, error) {
	f := Filter{byKey: map[string][]func(State) bool{}}
	for _, expr := range exprs {
		key, value, ok := strings.Cut(expr, "=")
		if !ok {
			return Filter{}, &FilterError{expr, errors.New("want KEY=VALUE")}
		}
		p, err := condition(key, value)
		if err != nil {
			return Filter{}, &FilterError{expr, err}
		}
		f.byKey[key] = append(f.byKey[key], p)
	}
	return f, nil
}

// condition is the test of one KEY=VALUE.
func condition(key, value string) (func(State) bool, error) {
	switch key {
	case "name":
		re, err := regexp.Compile(value)
		if err != nil {
			return nil, err
		}
		return func(st State) bool { return re.MatchString(st.Name) }, nil
	case "id":
		// podman's: a regular expression matched from the id's start,
		// in either case; a prefix is one.
		re, err := regexp.Compile("(?i)^(?:" + value + ")")
		if err != nil {
			return nil, err
		}
		return func(st State) bool { return re.MatchString(st.ID) }, nil
	case "status":
		switch value {
		case "stopped": // podman's name for an exited container
			value = StatusExited
		case StatusCreated, StatusRunning, StatusRestarting, StatusExited:
		default:
			return nil, errors.New("the status is created, running, restarting, exited or stopped")
		}
		return func(st State) bool { return st.Status == value }, nil
	case "exited":
		code, err := strconv.Atoi(value)
		if err != nil {
			return nil, errors.New("the exit code is a number")
		}
		return func(st State) bool { return st.Status == StatusExited && st.ExitCode == code }, nil
	case "label":
		k, v, hasValue := strings.Cut(value, "=")
		return func(st State) bool {
			got, ok := st.Labels[k]
			return ok && (!hasValue || got == v)
		}, nil
	case "ancestor":
		return func(st State) bool { return isAncestor(st, value) }, nil
	case "health":
		return func(st State) bool { return st.Health == value }, nil
	case "pod":
		return func(st State) bool {
			return st.Pod != "" && (st.Pod == value || strings.HasPrefix(st.PodID, value))
		}, nil
	}
	return nil, errors.New("use " + strings.Join(FilterKeys[:len(FilterKeys)-1], ", ") + " or " + FilterKeys[len(FilterKeys)-1])
}

// FilterKeys are the keys of ParseFilter's conditions, and
// FilterStatuses the values of status=.
var (
	FilterKeys     = []string{"name", "id", "status", "exited", "label", "ancestor", "health", "pod"}
	FilterStatuses = []string{StatusCreated, StatusRunning, StatusRestarting, StatusExited, "stopped"}
)

// Has is true when the filter has a condition on key.
func (f Filter) Has(key string) bool { return len(f.byKey[key]) > 0 }

// Match is true when st meets the filter's conditions.
func (f Filter) Match(st State) bool {
	for _, ps := range f.byKey {
		matched := false
		for _, p := range ps {
			matched = matched || p(st)
		}
		if !matched {
			return false
		}
	}
	return true
}

// isAncestor is true when value names the container's image: as the user
// wrote it, by a prefix of its id, or by one of the forms of its name
// (ImageForms).
func isAncestor(st State, value string) bool {
	if value == st.Image || strings.HasPrefix(st.ImageID, value) {
		return true
	}
	name := st.ImageName
	if name == "" {
		name = st.Image // a record of rl before ImageName, or an image named by id
	}
	return slices.Contains(ImageForms(name), value)
}

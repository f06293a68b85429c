package doctor

import (
	"slices"
	"sync"
)

// Status is the outcome of one check.
type Status string

// The statuses, from good to bad. NA is a check that does not apply to
// this machine or user (no AppArmor, real root).
const (
	OK   Status = "ok"
	NA   Status = "n/a"
	Warn Status = "warn"
	Fail Status = "fail"
)

// Result is one check's finding. Its JSON form is stable: scripts key on
// ID and Status.
type Result struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Found is what the check saw, in a few words.
	Found string `json:"found"`
	// Breaks is what fails while the status is not ok.
	Breaks string `json:"breaks,omitempty"`
	// Fix is the command (or edit) that makes the check ok on this
	// machine, with this user's name and paths.
	Fix string `json:"fix,omitempty"`
	// Root is true when Fix needs root (it goes into --fix-script).
	Root bool `json:"root,omitempty"`
	// Manual is true when Fix is advice for a person rather than a
	// command line (--fix-script keeps it as a comment).
	Manual bool `json:"manual,omitempty"`
	// Default is true when rl's defaults (rl run IMAGE, with its
	// network) need the check ok: a failed one makes rl doctor exit 1.
	Default bool `json:"default"`
}

// check is one check: it looks at the machine through h.
type check struct {
	id  string
	run func(h *Host) Result
	// dflt: rl's defaults need it (Result.Default).
	dflt bool
}

// Run runs every check concurrently (the probes each start a process,
// once, for all the checks that read them) and returns the results in
// the order of checks.
func Run(h *Host) []Result {
	all := checks()
	out := make([]Result, len(all))
	var wg sync.WaitGroup
	for i, c := range all {
		wg.Go(func() {
			r := c.run(h)
			r.ID, r.Default = c.id, c.dflt
			out[i] = r
		})
	}
	wg.Wait()
	return out
}

// Healthy is true when no check that rl's defaults need failed: rl
// doctor's exit status 0.
func Healthy(results []Result) bool {
	return !slices.ContainsFunc(results, func(r Result) bool { return r.Default && r.Status == Fail })
}

// checks is every check, in the order rl doctor prints them.
func checks() []check {
	return slices.Concat(usernsChecks(), idChecks(), storageChecks(), cgroupChecks(), networkChecks(), helperChecks())
}

// IDs are the ids of every check, for docs and tests.
func IDs() []string {
	var ids []string
	for _, c := range checks() {
		ids = append(ids, c.id)
	}
	return ids
}

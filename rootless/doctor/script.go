package doctor

import (
	"fmt"
	"io"
	"strings"
)

// WriteScript writes a shell script of the fixes that need root, for
// an admin to review and run (rl doctor --fix-script). who is the user
// the checks ran as.
func WriteScript(w io.Writer, results []Result, who string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/sh\n# rl doctor --fix-script, for %s: the fixes that need root. Review them, then run as root.\nset -e\n", who)
	n := 0
	for _, r := range results {
		if !r.Root || r.Fix == "" {
			continue
		}
		n++
		fix := r.Fix
		if r.Manual {
			fix = "# by hand: " + oneLine(fix)
		}
		fmt.Fprintf(&b, "\n# %s (%s): %s\n%s\n", r.ID, r.Status, oneLine(r.Found), fix)
	}
	if n == 0 {
		b.WriteString("# nothing to fix as root\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine keeps text on one comment line.
func oneLine(text string) string { return strings.ReplaceAll(text, "\n", " ") }

// Summary counts the results by status: "20 ok, 2 warn, 1 fail, 3 n/a".
func Summary(results []Result) string {
	count := map[Status]int{}
	for _, r := range results {
		count[r.Status]++
	}
	return fmt.Sprintf("%d ok, %d warn, %d fail, %d n/a", count[OK], count[Warn], count[Fail], count[NA])
}

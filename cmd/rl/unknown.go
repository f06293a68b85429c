package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// rejectUnknown makes every command group (rl, rl pod, rl container, ...)
// refuse a verb it does not have with one line that names the nearest
// verbs and --help: cobra would print the group's help instead (or, at
// the top, a message over several lines). Without a verb, a group prints
// its help, as before.
func rejectUnknown(c *cobra.Command) {
	for _, sub := range c.Commands() {
		rejectUnknown(sub)
	}
	if !c.HasSubCommands() || c.Runnable() {
		return
	}
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's own default, which SuggestionsFor does not apply
	}
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		return unknownCommand(c, args[0])
	}
}

// unknownCommand is the error for verb, which c does not have.
func unknownCommand(c *cobra.Command, verb string) error {
	var near []string
	for _, s := range c.SuggestionsFor(verb) {
		near = append(near, c.CommandPath()+" "+s)
	}
	msg := fmt.Sprintf("unknown command %q for %q", verb, c.CommandPath())
	if len(near) > 0 {
		msg += ": did you mean " + strings.Join(near, " or ") + "?"
	}
	return fmt.Errorf("%s (see %s --help)", msg, c.CommandPath())
}

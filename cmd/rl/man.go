//go:build mangen

// rl's man pages, rl(1) and rl-VERB(1) for each command, generated from
// the command tree at build time: `make man` builds rl with the mangen
// tag and runs `rl __man DIR`. rl itself is built without it, so that it
// does not link the man page writer.

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

func init() {
	if len(os.Args) == 3 && os.Args[1] == "__man" {
		os.Exit(writeMan(os.Args[2]))
	}
}

// writeMan writes the pages into dir and checks that they are complete.
func writeMan(dir string) int {
	code := 0
	root := newRootCommand(&globalOptions{}, &code, nil)
	root.DisableAutoGenTag = true   // pages that do not change from build to build
	root.InitDefaultCompletionCmd() // cobra adds it as it executes
	header := &doc.GenManHeader{Title: "RL", Section: "1", Source: "rl " + version, Manual: "rl manual"}
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = doc.GenManTree(root, header, dir)
	}
	if err == nil {
		err = checkMan(root, dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rl: writing the man pages:", err)
		return 1
	}
	return 0
}

// checkMan fails unless every command that is not hidden has its page,
// which names each of its flags, and its parent's page names it.
func checkMan(c *cobra.Command, dir string) error {
	if c.Hidden || c.Name() == "help" {
		return nil
	}
	page := filepath.Join(dir, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
	b, err := os.ReadFile(page)
	if err != nil {
		return fmt.Errorf("no page for %s: %w", c.CommandPath(), err)
	}
	text := strings.ReplaceAll(string(b), `\-`, "-")
	var missing []string
	c.NonInheritedFlags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && !strings.Contains(text, "--"+f.Name) {
			missing = append(missing, "--"+f.Name)
		}
	})
	if len(missing) > 0 {
		return fmt.Errorf("%s does not name %s", page, strings.Join(missing, ", "))
	}
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() && !strings.Contains(text, strings.ReplaceAll(sub.CommandPath(), " ", "-")) {
			return fmt.Errorf("%s does not name %s", page, sub.CommandPath())
		}
		if err := checkMan(sub, dir); err != nil {
			return err
		}
	}
	return nil
}

package main

import (
	"testing"

	"github.com/spf13/cobra"
)

// TestCompletionsRegister: registering the completions on rl's whole
// tree (the container group's verbs too) touches every command safely,
// and gives the commands that take containers, images, pods and volumes
// a completion of their arguments.
func TestCompletionsRegister(t *testing.T) {
	code := 0
	g := &globalOptions{}
	root := newRootCommand(g, &code, nil)
	registerCompletions(root, g)
	for _, path := range [][]string{{"stop"}, {"rm"}, {"start"}, {"inspect"}, {"rmi"}, {"run"}, {"container", "exec"}, {"pod", "rm"}, {"volume", "inspect"}, {"image", "rm"}} {
		c, _, err := root.Find(path)
		if err != nil || c.ValidArgsFunction == nil {
			t.Errorf("rl %v: no completion of its arguments (%v)", path, err)
		}
	}
	for _, path := range [][]string{{"ps"}, {"version"}, {"volume", "create"}} {
		c, _, _ := root.Find(path)
		if c.ValidArgsFunction != nil {
			t.Errorf("rl %v completes its arguments", path)
		}
	}
	var flagged int
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, name := range []string{"network", "signal", "format"} {
			if _, ok := c.GetFlagCompletionFunc(name); ok {
				flagged++
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if flagged < 10 {
		t.Errorf("only %d flags complete their values", flagged)
	}
}

// Command rl runs rootless containers: no daemon, no root, no setuid code
// of its own. This package is the command line only: it parses flags into
// the engine's options (package rl/rootless) and turns errors into one line
// of advice and docker's exit codes.
package main

import "os"

func main() { os.Exit(execute(os.Args[1:])) }

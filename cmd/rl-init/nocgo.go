//go:build !cgo

package main

import (
	"os"
	"syscall"
)

// begun is "" without cgo: rl-init's Go side reads the Begin message
// itself, and only the C constructor can join a container's user
// namespace, so rl exec and pods fail with an explanation.
func begun() string { return "" }

// Without cgo, the purge that rl starts as rl-init (purge.go) is rl's own
// from the start.
func init() {
	if os.Getenv("_RL_PURGE_C") == "" {
		return
	}
	rl := os.Getenv("_RL_PURGE_RL")
	os.Unsetenv("_RL_PURGE_C")
	os.Unsetenv("_RL_PURGE_RL")
	_ = syscall.Exec(rl, []string{"rl", "purge", os.Args[2]}, os.Environ())
	os.Exit(1)
}

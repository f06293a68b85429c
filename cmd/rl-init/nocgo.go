//go:build !cgo

package main

import (
	"os"
	"syscall"

	"github.com/rl-containers/rl/rootless/handshake"
)

// begun is "" without cgo: rl-init's Go side reads the Begin message
// itself, and only the C constructor can join a container's user
// namespace, so rl exec and pods fail with an explanation.
func begun() string { return "" }

// Without cgo, the purge that rl starts as rl-init (purge.go) is rl's own
// from the start.
func init() {
	if os.Getenv(handshake.EnvPurge) == "" {
		return
	}
	rl := os.Getenv(handshake.EnvPurgeRL)
	os.Unsetenv(handshake.EnvPurge)
	os.Unsetenv(handshake.EnvPurgeRL)
	_ = syscall.Exec(rl, []string{"rl", "purge", os.Args[2]}, os.Environ())
	os.Exit(1)
}

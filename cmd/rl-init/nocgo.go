//go:build !cgo

package main

// begun is "" without cgo: rl-init's Go side reads the Begin message
// itself, and only the C constructor can join a container's user
// namespace, so rl exec and pods fail with an explanation.
func begun() string { return "" }

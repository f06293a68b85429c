//go:build !cgo

package main

// joined is false without cgo: only the C constructor can join a
// container's user namespace, so rl exec fails with an explanation.
func joined() bool { return false }

// Command rl-init is the part of rl that runs inside a container's
// namespaces (see package github.com/rl-containers/rl/rootless/child). rl starts it; it is installed
// beside rl and is not meant to be run by hand.
// The Go runtime's cgroup-aware GOMAXPROCS keeps cgroup files open from
// before main: those fds would take the numbers that --preserve-fds passes
// on, and reading them costs start-up time.
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import "github.com/rl-containers/rl/rootless/child"

func main() { child.Main(begun()) }

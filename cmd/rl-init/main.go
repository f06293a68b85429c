// Command rl-init is the part of rl that runs inside a container's
// namespaces (see package rl/rootless/child). rl starts it; it is installed
// beside rl and is not meant to be run by hand.
package main

import "rl/rootless/child"

func main() { child.Main() }

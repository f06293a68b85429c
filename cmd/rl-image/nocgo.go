//go:build !cgo

package main

import (
	"fmt"
	"os"
)

// Without cgo, containers/storage's pkg/unshare has no C constructor to
// finish its re-exec into the user namespace, and the re-executed process
// would re-execute itself again, without end. Refuse to run instead.
func init() {
	fmt.Fprintln(os.Stderr, "rl-image: built without cgo, which containers/storage needs to enter a user namespace; rebuild with make")
	os.Exit(125)
}

// Package fsoverlay builds and performs the container's root filesystem
// mounts: the kernel overlayfs mount (option escaping, userxattr for
// unprivileged mounts), typed mount errors, read-only remounts that keep
// the flags the kernel locks in a user namespace, and pivot_root.
//
// It runs in rl-init, inside the container's user and mount namespaces, and
// links nothing but golang.org/x/sys and filepath-securejoin so that the
// process that starts every container stays small. PrepareUpper alone runs
// in the front end: it readies the upper dir of a root filesystem that is
// not the user's, before rl-init mounts it.
package fsoverlay

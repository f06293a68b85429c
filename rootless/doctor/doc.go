// Package doctor checks every prerequisite of rl's features on this
// machine (rl doctor): user namespaces, subordinate ids and their setuid
// helpers, the store's filesystem, cgroups and the user's systemd, the
// user-mode network and rl's own helpers. Each check is a small function
// with a stable id (userns.apparmor, ids.newuidmap, ...), documented in
// docs/troubleshooting.md, that says what it found, what fails without it
// and the command that fixes it here.
//
// It runs in the front end, as the user. The probes that need a user
// namespace re-execute rl itself (MaybeRunProbe), because a Go program
// cannot mount between clone(2) and execve(2).
package doctor

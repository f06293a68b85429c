// Package userns owns everything about user namespaces that the rl front end
// (the host-side parent process) does: reading the caller's subordinate id
// ranges from /etc/subuid and /etc/subgid, computing the uid/gid maps for each
// --userns mode, and writing those maps for a freshly cloned child, through
// the distro's setuid newuidmap/newgidmap or directly where the kernel allows.
package userns

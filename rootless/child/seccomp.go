package child

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// loadSeccomp installs the container's filter, compiled by the front end
// (rootless/seccomp) into struct sock_filter bytes, on every thread of
// rl-init (SECCOMP_FILTER_FLAG_TSYNC: the Go runtime has several, and
// the command inherits the filter of the thread that execs it).
//
// It runs before setUser, while rl-init is still root in the container's
// user namespace: seccomp(2) requires no_new_privs or CAP_SYS_ADMIN in
// the current user namespace, and rl must not set no_new_privs unasked
// (setuid programs in the container would stop working), so the filter
// goes in while CAP_SYS_ADMIN is still held, as runc does without
// no_new_privs. What rl-init does after it (setgroups, setresgid,
// setresuid, prctl, chdir, stat, close_range, sendmsg, rt_sigaction,
// execve, and with --init clone and wait4) is allowed by the default
// profile; a custom profile that denies them makes the start fail with
// that syscall's error.
func loadSeccomp(prog []byte) error {
	if len(prog) == 0 {
		return nil
	}
	if len(prog)%8 != 0 || len(prog)/8 > 0xffff {
		return fmt.Errorf("seccomp filter of %d bytes is not a BPF program", len(prog))
	}
	filter := make([]unix.SockFilter, len(prog)/8)
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&filter[0])), len(prog)), prog)
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	switch {
	case errno != 0:
		return fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER): %w", errno)
	case r != 0:
		// TSYNC's failure: the id of a thread that could not be synced.
		return fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER): thread %d could not take the filter", r)
	}
	return nil
}

// Command sysprobe is a test helper that runs inside containers: it makes
// one syscall by name and prints what the kernel (or the seccomp filter)
// answered, "OK" or the errno's name (EPERM, ENOSYS...). Each probe
// passes arguments the kernel refuses with an error of its own (EFAULT,
// ENOENT, EOPNOTSUPP...) before it looks at privileges, so that without
// a filter the answer is never EPERM, and EPERM means the filter. It is
// built statically into tests/bin by `make integration`.
//
//	sysprobe keyctl | add_key | perf_event_open | bpf | mount | unshare-user |
//	         clone-newuser | mkdir DIR | nr N
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var errno syscall.Errno
	arg := func() string {
		if len(os.Args) != 3 {
			usage()
		}
		return os.Args[2]
	}
	switch os.Args[1] {
	case "keyctl":
		// An operation no kernel has: EOPNOTSUPP.
		_, _, errno = unix.Syscall(unix.SYS_KEYCTL, 9999, 0, 0)
	case "add_key":
		// A NULL key type: EFAULT.
		_, _, errno = unix.Syscall6(unix.SYS_ADD_KEY, 0, 0, 0, 0, 0, 0)
	case "perf_event_open":
		// A NULL attribute: EFAULT, before perf_event_paranoid counts.
		_, _, errno = unix.Syscall6(unix.SYS_PERF_EVENT_OPEN, 0, 0, ^uintptr(0), ^uintptr(0), 0, 0)
	case "bpf":
		// An attribute size past a page: E2BIG, before the privilege check.
		var attr [8]byte
		_, _, errno = unix.Syscall(unix.SYS_BPF, unix.BPF_MAP_CREATE, uintptr(unsafe.Pointer(&attr)), 1<<20)
	case "mount":
		// A new proc on a path that does not exist: ENOENT, looked up
		// before mount(2) asks for CAP_SYS_ADMIN.
		errno = toErrno(unix.Mount("proc", "/nonexistent/proc", "proc", 0, ""))
	case "unshare-user":
		errno = toErrno(unix.Unshare(unix.CLONE_NEWUSER))
	case "clone-newuser":
		// clone(2) with CLONE_NEWUSER (Go forks with clone, not clone3,
		// when no pidfd or cgroup is asked for).
		cmd := exec.Command("/bin/true")
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWUSER}
		errno = toErrno(cmd.Run())
	case "mkdir":
		errno = toErrno(unix.Mkdir(arg(), 0o755))
	case "nr":
		n, err := strconv.ParseUint(arg(), 10, 32)
		if err != nil {
			usage()
		}
		_, _, errno = unix.Syscall(uintptr(n), 0, 0, 0)
	default:
		usage()
	}
	if errno == 0 {
		fmt.Println("OK")
		return
	}
	fmt.Println(unix.ErrnoName(errno))
}

func toErrno(err error) syscall.Errno {
	var errno syscall.Errno
	if err == nil || !errors.As(err, &errno) {
		if err != nil {
			fmt.Fprintln(os.Stderr, "sysprobe:", err)
			os.Exit(1)
		}
		return 0
	}
	return errno
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: sysprobe keyctl|add_key|perf_event_open|bpf|mount|unshare-user|clone-newuser | mkdir DIR | nr N")
	os.Exit(2)
}

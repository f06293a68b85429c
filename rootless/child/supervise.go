package child

import (
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// forwarded are the signals rl-init passes on to the process it supervises,
// the same set the front end forwards to rl-init.
var forwarded = []os.Signal{
	unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT,
	unix.SIGUSR1, unix.SIGUSR2, unix.SIGWINCH, unix.SIGCONT,
}

// runInit is --init: rl-init stays PID 1, runs the command as its child,
// forwards signals to it and reaps every orphan the pid namespace hands to
// it, then exits with the command's status. A command that is not PID 1
// gets default signal handling: SIGTERM kills it even if it installs no
// handler.
func runInit(c *conn, s *spec.Spec, path string) int {
	sigs := notify()
	files := stdioAndPreserved(s.PreserveFDs)
	pid, err := syscall.ForkExec(path, s.Args, &syscall.ProcAttr{
		Env: s.Env, Files: files,
		Sys: &syscall.SysProcAttr{Setsid: true, Setctty: s.Terminal, Ctty: 0},
	})
	if err != nil {
		c.fail(execCode(err), "executing "+s.Args[0], err)
	}
	c.check(handshake.Send(c.fd, handshake.Message{Kind: handshake.Exec}), "reporting the start")
	unix.Close(c.fd)
	return supervise(pid, sigs)
}

// runNested is the first half of a nested user namespace (keep-id, nomap,
// --uidmap). We are root in a user namespace that maps the caller to 0,
// which is what let us gain our capabilities, and we mounted the
// container's root filesystem (root and binds: fds of detached copies of
// it and of the bind sources, mountNestedRoot); now we clone rl-init
// again into a user namespace nested in ours, with the container's maps,
// together with the container's other namespaces (owned by the nested
// one, so that rl-init can mount in them). Writing the nested maps needs no helper: we are privileged in the
// parent namespace of the nested one. The nested rl-init reads the next
// Start message from the same sync socket; we supervise it.
func runNested(c *conn, s *spec.Spec, root int, binds []int) int {
	sigs := notify()
	// The network namespace is ours, made with our user namespace, so that
	// the front end's network helpers find it at our pid and we can
	// configure it.
	flags := uintptr(unix.CLONE_NEWUSER | unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWIPC | unix.CLONE_NEWUTS | unix.CLONE_NEWCGROUP)
	files := append(stdioAndPreserved(s.PreserveFDs), uintptr(c.fd), uintptr(root))
	rootFD := len(files) - 1
	bindFDs := make([]string, len(binds))
	for i, fd := range binds {
		bindFDs[i] = "-1"
		if fd >= 0 {
			bindFDs[i] = strconv.Itoa(len(files))
			files = append(files, uintptr(fd))
		}
	}
	env := append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, handshake.EnvStage+"=")
	}), handshake.EnvStage+"="+string(handshake.VariantNested), handshake.EnvRoot+"="+strconv.Itoa(rootFD),
		handshake.EnvBinds+"="+strings.Join(bindFDs, ","))
	allCaps := make([]uintptr, 0, unix.CAP_LAST_CAP+1)
	for capability := uintptr(0); capability <= unix.CAP_LAST_CAP; capability++ {
		allCaps = append(allCaps, capability)
	}
	// Our own binary, which is rl-init's sealed copy in memory (stage1.go,
	// rl_exec_sealed): it has no path to look up.
	pid, err := syscall.ForkExec("/proc/self/exe", os.Args, &syscall.ProcAttr{
		Env: env, Files: files,
		Sys: &syscall.SysProcAttr{
			Cloneflags:                 flags,
			UidMappings:                procIDMaps(s.Nested.UIDs),
			GidMappings:                procIDMaps(s.Nested.GIDs),
			GidMappingsEnableSetgroups: !s.NoSetgroups,
			// Our uid inside the nested namespace is the caller's, not 0,
			// so an exec would drop our capabilities: keep them ambient.
			AmbientCaps: allCaps,
			Credential:  nestedRoot(s.Nested),
			Setsid:      true,
			Pdeathsig:   unix.SIGKILL,
		},
	})
	c.check(err, "creating the nested user namespace")
	unix.Close(c.fd)
	return supervise(pid, sigs)
}

// nestedRoot is the credential of the nested rl-init when the caller is
// not in the nested namespace (nomap, --uidmap 0:1:N): its ids there would
// be the overflow ids, with which it could make no file; it becomes the
// container's root instead. Nil when the caller is mapped (keep-id) or
// the maps have no root.
func nestedRoot(l *userns.Level) *syscall.Credential {
	callerMapped := userns.HostContains(l.UIDs, 0) && userns.HostContains(l.GIDs, 0)
	if callerMapped || !userns.Contains(l.UIDs, 0) || !userns.Contains(l.GIDs, 0) {
		return nil
	}
	return &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true}
}

func procIDMaps(maps []userns.IDMap) []syscall.SysProcIDMap {
	out := make([]syscall.SysProcIDMap, len(maps))
	for i, m := range maps {
		out[i] = syscall.SysProcIDMap{ContainerID: int(m.ContainerID), HostID: int(m.HostID), Size: int(m.Size)}
	}
	return out
}

// stdioAndPreserved lists fds 0-2 and the n preserved ones after them.
func stdioAndPreserved(n int) []uintptr {
	files := make([]uintptr, 3+n)
	for i := range files {
		files[i] = uintptr(i)
	}
	return files
}

func notify() chan os.Signal {
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs, append([]os.Signal{unix.SIGCHLD}, forwarded...)...)
	return sigs
}

// supervise forwards signals to pid and reaps children until pid exits,
// then returns its exit code (128+N for a death by signal N).
func supervise(pid int, sigs chan os.Signal) int {
	for sig := range sigs {
		if sig != unix.SIGCHLD {
			_ = unix.Kill(pid, sig.(unix.Signal))
			continue
		}
		for {
			var ws unix.WaitStatus
			wpid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
			if err != nil || wpid <= 0 {
				break
			}
			if wpid == pid {
				return handshake.ExitCode(ws)
			}
		}
	}
	return 125
}

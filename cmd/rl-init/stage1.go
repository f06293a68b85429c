package main

// stage1 runs before the Go runtime starts (a constructor, as runc's
// nsexec). rl-init's first exec happens in the new user namespace before
// its maps exist, so that exec gave it no capabilities, and it must exec
// itself once more after rl has written the maps. Doing that wait and exec
// here, in C, spares a whole Go runtime start-up, which would also compete
// for the CPU with the newuidmap and newgidmap that rl runs meanwhile.
// Everything else about the stages lives in package github.com/rl-containers/rl/rootless/child;
// this is the fast path of its awaitMaps, which stays as the path of a
// build without cgo.
//
// rl exec and the containers of a pod need the constructor: a process
// joins a user namespace with
// setns(2) only while it has one thread, which a Go program never has
// (runc's nsexec exists for the same reason). The front end's first
// message, Begin, names the variant. For "exec" (with a target PID), rl_join
// opens PID's namespaces, waits for the front end's go-ahead (it has put
// us in the container's cgroup meanwhile), joins the user namespace first
// (which grants the capabilities to join the others) and the mount
// namespace last, and forks: the child, in the container's pid namespace,
// goes on into Go (child.joinMain) to become the command; this process
// stays as its parent, forwards signals to it and exits with its status.
// For "pod" it joins the target, the pod's infra process: its user, network, uts
// and IPC namespaces the same way, unshares a mount and a pid namespace,
// and the child goes on into Go as the container's rl-init. For "shared"
// it joins the user namespace of the target, the holder of the caller's
// shared user namespace (with --network container:, the user and network
// namespaces of that container's rl-init), unshares the namespaces Begin
// names and says Joined, and the child goes on into Go as the container's rl-init, with
// its capabilities from the join: no maps to wait for and no second exec.
// The parent left on the host's side writes its child's exit code to the
// exit pipe before it exits. For "holder" it detaches and sleeps, holding
// the shared user namespace (rl_hold).

/*
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nsfs.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static pid_t rl_child;

void rl_purge(int argc, char **argv); // purge.go

// rl_fault is true for the signals the kernel raises for a fault of the
// process itself.
static int rl_fault(int sig) {
	switch (sig) {
	case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP: case SIGSYS:
		return 1;
	}
	return 0;
}

// rl_forward passes a signal on to the child. A fault signal that the
// kernel raised for the parent itself (si_code > 0; kill(2) and rl kill
// send SI_USER) takes its default action instead.
static void rl_forward(int sig, siginfo_t *info, void *ctx) {
	(void)ctx;
	if (info->si_code > 0 && rl_fault(sig)) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	kill(rl_child, sig);
}

// rl_forwarded is true for the signals that the parent left by rl_join
// passes on to its child, the container's init or rl exec's command: every
// one that kill(1), rl kill or a terminal may send (the parent's pid is
// the one rl signals), fault signals too (podman's tests send SIGILL and
// SIGFPE), but SIGKILL and SIGSTOP, which cannot be caught, SIGCHLD, the
// parent's own (and glibc's two internal real-time signals).
static int rl_forwarded(int sig) {
	switch (sig) {
	case SIGKILL: case SIGSTOP: case SIGCHLD:
		return 0;
	}
	return sig < 32 || sig >= SIGRTMIN;
}

// rl_fail reports a failure as a Failed message, as rl-init's Go side
// does, and exits.
static void rl_fail(int sync, const char *op, const char *what) {
	char msg[512];
	int n = snprintf(msg, sizeof msg,
		"{\"kind\":\"failed\",\"error\":{\"op\":\"%s\",\"msg\":\"%s: %s\",\"errno\":%d,\"code\":125}}",
		op, what, strerror(errno), errno);
	send(sync, msg, n, 0);
	_exit(125);
}

// rl_expect_into reads the next message into msg (n bytes) and fails as
// op unless it is of the kind named; rl gone is an exit.
static void rl_expect_into(int sync, const char *kind, const char *op, char *msg, size_t n) {
	ssize_t got;
	do {
		got = recv(sync, msg, n - 1, 0);
	} while (got < 0 && errno == EINTR);
	if (got <= 0)
		_exit(125); // rl went away
	msg[got] = 0;
	char want[32];
	snprintf(want, sizeof want, "\"kind\":\"%s\"", kind);
	if (strstr(msg, want) == NULL) {
		errno = EPROTO;
		rl_fail(sync, op, "unexpected message");
	}
}

// rl_expect reads the next message and fails as op unless it is of the
// kind named.
static void rl_expect(int sync, const char *kind, const char *op) {
	char msg[256];
	rl_expect_into(sync, kind, op, msg, sizeof msg);
}

// rl_same is true when the namespace of fd is the one /proc/self/ns/kind
// names.
static int rl_same(int fd, const char *kind) {
	char path[64];
	struct stat ours, theirs;
	snprintf(path, sizeof path, "/proc/self/ns/%s", kind);
	return stat(path, &ours) == 0 && fstat(fd, &theirs) == 0 &&
	       ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev;
}

// rl_join_owned_net joins the network namespace among kinds (fds, n) from
// the user namespace that owns it, when that is not the target's own: a
// keep-id container's network is its outer rl-init's, owned by the outer
// user namespace, and capabilities in the nested one (the target's) give
// no right to setns(2) into it (user_namespaces(7)). So: the owner first,
// which grants every capability in it, then the network, and then the
// loop of rl_join goes on into the nested user namespace (a child of the
// owner, where we now hold every capability too) and the rest. The fd of
// the network is closed and set to -1.
static void rl_join_owned_net(int sync, const char **kinds, int *fds, int n) {
	int net = -1, user = -1;
	for (int i = 0; i < n; i++) {
		if (strcmp(kinds[i], "net") == 0)
			net = i;
		else if (strcmp(kinds[i], "user") == 0)
			user = i;
	}
	if (net < 0 || user < 0 || rl_same(fds[net], "net"))
		return;
	int owner = ioctl(fds[net], NS_GET_USERNS);
	if (owner < 0)
		return; // an older kernel: join in the usual order
	struct stat o, t;
	if (fstat(owner, &o) < 0 || fstat(fds[user], &t) < 0 ||
	    (o.st_ino == t.st_ino && o.st_dev == t.st_dev)) {
		close(owner);
		return; // the target's own: the usual order works
	}
	if (!rl_same(owner, "user") && setns(owner, CLONE_NEWUSER) < 0)
		rl_fail(sync, "joining the container's namespaces", "user (the network's owner)");
	close(owner);
	if (setns(fds[net], CLONE_NEWNET) < 0)
		rl_fail(sync, "joining the container's namespaces", "net");
	close(fds[net]);
	fds[net] = -1;
}

// rl_join joins the n namespaces kinds of process target, makes new ones
// (unshare(2) flags: the pid namespace takes effect for the child), says
// Joined when report is set (the front end then starts the network's
// helpers on our namespaces), and forks; it returns in the child.
static void rl_join(const char *target, int sync, const char **kinds, int n, int flags, int report) {
	int fds[8];
	char path[64];
	// All are opened before any is joined: once in the mount namespace,
	// /proc is the container's.
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "/proc/%s/ns/%s", target, kinds[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			rl_fail(sync, "opening the container's namespaces", path);
	}
	rl_expect(sync, "join", "joining the container");
	rl_join_owned_net(sync, kinds, fds, n);
	for (int i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue; // joined already
		// A namespace we are in already is skipped: joining it again
		// fails (our own user namespace: EINVAL), and the host's
		// network (--network host) is not ours to join.
		if (rl_same(fds[i], kinds[i]))
			continue;
		if (setns(fds[i], 0) < 0)
			rl_fail(sync, "joining the container's namespaces", kinds[i]);
		close(fds[i]);
	}
	if (flags != 0 && unshare(flags) < 0)
		rl_fail(sync, "creating the container's namespaces", "unshare");
	static const char joined[] = "{\"kind\":\"joined\"}";
	if (report && send(sync, joined, sizeof joined - 1, 0) < 0)
		rl_fail(sync, "creating the container's namespaces", "reporting them");
	// Joining the user namespace changed our credentials, which cleared
	// the parent death signal.
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	// The forwarded signals wait, blocked, until the parent forwards them:
	// one that came between fork and the handlers would kill the parent
	// and leave the child running.
	sigset_t set, old;
	sigemptyset(&set);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (rl_forwarded(sig))
			sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, &old);
	rl_child = fork();
	if (rl_child < 0)
		rl_fail(sync, "joining the container", "fork");
	if (rl_child == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		// A session of its own, so that a terminal can be its
		// controlling one (exec -t).
		setsid();
		// The exit pipe is the parent's to write.
		const char *exit_fd = getenv("_RL_EXIT_FD");
		if (exit_fd != NULL) {
			close(atoi(exit_fd));
			unsetenv("_RL_EXIT_FD");
		}
		return;
	}
	close(sync);
	struct sigaction sa = {.sa_sigaction = rl_forward, .sa_flags = SA_SIGINFO};
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (rl_forwarded(sig))
			sigaction(sig, &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	int status;
	while (waitpid(rl_child, &status, 0) < 0)
		if (errno != EINTR)
			_exit(125);
	int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	// Said to the front end before we exit: the child's pid namespace is
	// empty by now (its init's exit killed the rest), but as the last
	// process in the container's mount and network namespaces our exit
	// tears them down, which takes a millisecond that the command's
	// caller need not wait for.
	const char *exit_fd = getenv("_RL_EXIT_FD");
	if (exit_fd != NULL) {
		unsigned char c = code;
		ssize_t n;
		do {
			n = write(atoi(exit_fd), &c, 1);
		} while (n < 0 && errno == EINTR);
	}
	_exit(code);
}

// rl_exec_sealed executes this program again, from a sealed copy in
// memory (memfd_create(2), F_SEAL_WRITE), so that no process of rl-init
// that runs in a container, nor the command it becomes, has the binary on
// the host as its /proc/self/exe. rl-init is often owned by the user
// (make install PREFIX=$HOME/.local), who is root in the container:
// otherwise the container's root could open /proc/PID/exe of an rl-init
// (or run it, with a "#!/proc/self/exe" script for rl exec to start) and,
// once no rl-init runs, reopen it for writing and replace the rl-init that
// the next container starts on the host (CVE-2019-5736, runc's answer
// too). Writing through the copy fails: it is sealed.
static void rl_exec_sealed(int sync, char **argv) {
	int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		rl_fail(sync, "starting rl-init", "/proc/self/exe");
	struct stat st;
	if (fstat(exe, &st) < 0)
		rl_fail(sync, "starting rl-init", "/proc/self/exe");
	// MFD_EXEC: executable even where vm.memfd_noexec says otherwise by
	// default (Linux >= 6.3; older kernels refuse the flag).
	int mem = memfd_create("rl-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mem < 0 && errno == EINVAL)
		mem = memfd_create("rl-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mem < 0)
		rl_fail(sync, "starting rl-init", "memfd_create");
	for (off_t left = st.st_size; left > 0;) {
		ssize_t n = sendfile(mem, exe, NULL, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rl_fail(sync, "starting rl-init", "copying /proc/self/exe");
		left -= n;
	}
	close(exe);
	if (fcntl(mem, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		rl_fail(sync, "starting rl-init", "sealing the copy of rl-init");
	fexecve(mem, argv, environ);
	rl_fail(sync, "starting rl-init", "executing the sealed copy of rl-init");
}

// rl_hold is the holder of the caller's shared user namespace (whose maps
// the front end wrote before Begin): it detaches from the front end (no
// parent death signal, no fds: a bats run or a pipe would wait for ours)
// and holds the namespace until it is killed. It never returns. The
// containers that join the namespace are not its children; its death
// ends none of them: a namespace lives as long as a process in it.
static void rl_hold(int sync) {
	prctl(PR_SET_PDEATHSIG, 0);
	prctl(PR_SET_NAME, "rl-userns");
	static const int ignored[] = {SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2};
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		signal(ignored[i], SIG_IGN);
	int null = open("/dev/null", O_RDWR);
	if (null < 0)
		rl_fail(sync, "starting the user namespace's holder", "/dev/null");
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	if (chdir("/") < 0)
		rl_fail(sync, "starting the user namespace's holder", "/");
	static const char ready[] = "{\"kind\":\"exec\"}";
	send(sync, ready, sizeof ready - 1, 0);
	// The front end reads EOF once the sync socket closes with the rest.
	syscall(SYS_close_range, 3, ~0U, 0);
	for (;;)
		pause();
}

// rl_variant is the variant that the constructor learned and carried out
// without a re-exec (exec, pod, privileged), for Go to read; NULL when it
// did not read the Begin message (after rl-init's own re-exec, whose
// variant is in _RL_STAGE).
static const char *rl_variant;

// rl_field returns the value of the JSON string field name in msg (at most
// n-1 bytes, in out), or "" when it is missing. rl's messages are written
// by encoding/json, which escapes nothing in the fields read here.
static const char *rl_field(const char *msg, const char *name, char *out, size_t n) {
	char key[32];
	snprintf(key, sizeof key, "\"%s\":\"", name);
	const char *v = strstr(msg, key);
	out[0] = 0;
	if (v == NULL)
		return out;
	v += strlen(key);
	size_t i = 0;
	while (v[i] != 0 && v[i] != '"' && i < n - 1) {
		out[i] = v[i];
		i++;
	}
	out[i] = 0;
	return out;
}

__attribute__((constructor)) static void rl_stage1(int argc, char **argv, char **envp) {
	if (getenv("_RL_PURGE_C") != NULL)
		rl_purge(argc, argv); // rl's purge process: it does not return
	const char *fd = getenv("_RL_SYNC_FD");
	if (fd == NULL)
		return; // not started by rl
	// "rl-init" in ps and /proc/PID/comm, whatever the exec's file (the
	// sealed copy's name is a number).
	prctl(PR_SET_NAME, "rl-init");
	if (getenv("_RL_STAGE") != NULL)
		return; // re-executed already: Go takes over
	int sync = atoi(fd);
	// The front end's first message, Begin, names the variant (and, to
	// join a running container or a pod, the pid whose namespaces to join).
	char msg[256];
	int seal = getenv("_RL_SEAL") != NULL;
	if (seal && getenv("_RL_SEALED") == NULL) {
		// The variants that exec below for their capabilities run from a
		// sealed copy by that exec; the others need one of their own,
		// before they read Begin (left for the copy to read: MSG_PEEK).
		ssize_t got;
		do {
			got = recv(sync, msg, sizeof msg - 1, MSG_PEEK);
		} while (got < 0 && errno == EINTR);
		if (got <= 0)
			_exit(125); // rl went away
		msg[got] = 0;
		char peeked[32];
		rl_field(msg, "variant", peeked, sizeof peeked);
		// The holder runs none of a container's code, and a copy would
		// stay in its memory for as long as it runs.
		if (strcmp(peeked, "container") != 0 && strcmp(peeked, "remove") != 0 && strcmp(peeked, "holder") != 0) {
			setenv("_RL_SEALED", "1", 1);
			rl_exec_sealed(sync, argv);
		}
	}
	rl_expect_into(sync, "begin", "starting rl-init", msg, sizeof msg);
	char variant[32], target[24] = "";
	rl_field(msg, "variant", variant, sizeof variant);
	const char *t = strstr(msg, "\"target\":");
	if (t != NULL)
		snprintf(target, sizeof target, "%ld", strtol(t + strlen("\"target\":"), NULL, 10));
	if (strcmp(variant, "exec") == 0) {
		// rl exec: every namespace of the container.
		static const char *all[] = {"user", "ipc", "uts", "net", "cgroup", "pid", "mnt"};
		rl_join(target, sync, all, 7, 0, 0);
		rl_variant = "exec";
		return; // the command's process: Go takes over
	}
	if (strcmp(variant, "pod") == 0) {
		// A container of a pod: the pod's user, network, uts and IPC
		// namespaces, and a mount and pid namespace of its own (its
		// cgroup namespace comes later, from Go).
		static const char *shared[] = {"user", "ipc", "uts", "net"};
		rl_join(target, sync, shared, 4, CLONE_NEWNS | CLONE_NEWPID, 0);
		rl_variant = "pod";
		return; // the container's init: Go takes over, already mapped
	}
	if (strcmp(variant, "shared") == 0) {
		// A container in the shared user namespace: the holder's (target)
		// user namespace, which gives every capability in it at once,
		// and the namespaces of its own that Begin names (its cgroup
		// namespace comes later, from Go). When Begin makes no network,
		// the target's network too: with --network container: the
		// target is that container's rl-init; the holder's network is
		// the host's, ours already (--network host), which rl_join skips.
		static const char *user_net[] = {"user", "net"};
		const char *u = strstr(msg, "\"unshare\":");
		int flags = u == NULL ? 0 : (int)strtol(u + strlen("\"unshare\":"), NULL, 10);
		rl_join(target, sync, user_net, flags & CLONE_NEWNET ? 1 : 2, flags, 1);
		// Dies with the parent (which rl kills when the start fails), as
		// the container's init does from Go on, set before Go starts. (A
		// parent gone even sooner closes nothing of the socket's front
		// end: that end's close, when rl reaps the parent, is the EOF
		// that ends us.)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		rl_variant = "shared";
		return; // the container's init: Go takes over, already mapped
	}
	if (strcmp(variant, "holder") == 0)
		rl_hold(sync);
	if (strcmp(variant, "privileged") == 0) {
		// Real root: no user namespace, capabilities from the first exec.
		rl_variant = "privileged";
		return;
	}
	if (strcmp(variant, "container") != 0 && strcmp(variant, "remove") != 0) {
		errno = EPROTO;
		rl_fail(sync, "starting rl-init", "unknown variant");
	}
	// The front end wrote our maps before it sent Begin: exec ourselves
	// (a sealed copy, when the front end asks for one) to gain our
	// capabilities in the user namespace.
	setenv("_RL_STAGE", variant, 1);
	if (seal)
		rl_exec_sealed(sync, argv);
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len < 0)
		rl_fail(sync, "starting rl-init", "/proc/self/exe");
	self[len] = 0;
	execv(self, argv);
	rl_fail(sync, "starting rl-init", self);
}
static const char *rl_begun(void) { return rl_variant ? rl_variant : ""; }
*/
import "C"

// begun is the variant that rl-init's constructor read from the Begin
// message and carried out ("" when it did not read it).
func begun() string { return C.GoString(C.rl_begun()) }

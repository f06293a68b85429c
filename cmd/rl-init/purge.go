package main

// rl_purge is rl-init as the purge process of rl's removed containers
// (rootless/store.Purge, started as "rl-init purge ROOT RUNROOT"), run by
// the constructor before the Go runtime starts: a Go runtime's start and
// exit cost three quarters of the CPU of a purge done by rl. It removes
// each container's run directory and data directory, as their owner,
// and closes that container's lock (fd 3, 4, ...) once they are gone;
// then it waits for the processes of the pidfds after the purging lock
// and exits. Where it cannot remove a tree as its owner (files of
// subordinate ids, which need a user namespace; a tree deeper than it
// goes), it execs rl's own purge (RunPurger), which purges them all
// again, the gone ones in no time, with its fds in place: a lock already
// let go is /dev/null by then.

/*
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// The most containers one purge takes (store's maxPurge), and the deepest
// tree it removes itself.
#define RL_PURGE_MAX 64
#define RL_PURGE_DEPTH 128

// rl_open_dir opens the directory name in dirfd without following a
// symbolic link; a directory of ours that denies us entry (overlayfs's
// work/work is mode 0) or writes is opened up first.
static int rl_open_dir(int dirfd, const char *name) {
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 && errno == EACCES && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode) && st.st_uid == geteuid() && fchmodat(dirfd, name, (st.st_mode & 07777) | 0700, 0) == 0)
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 0700) != 0700)
		fchmod(fd, (st.st_mode & 07777) | 0700);
	return fd;
}

// rl_rmtree removes name in dirfd and all beneath it; 0 when it is gone
// (or never was), -1 where something is left. dir says readdir's type of
// it was a directory's.
static int rl_rmtree(int dirfd, const char *name, int dir, int depth) {
	if (!dir) {
		if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
			return 0;
		if (errno != EISDIR)
			return -1;
	}
	if (depth >= RL_PURGE_DEPTH)
		return -1;
	int fd = rl_open_dir(dirfd, name);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	int rc = 0;
	// Entries removed while the directory is read may hide others from
	// readdir: a second pass finds those.
	for (int pass = 0; pass < 2; pass++) {
		struct dirent *e;
		rc = 0;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && rl_rmtree(fd, e->d_name, e->d_type == DT_DIR, depth + 1) < 0)
				rc = -1;
		}
		if (rc < 0 || unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			break;
		rc = -1;
		if (errno != ENOTEMPTY && errno != EEXIST)
			break;
		rewinddir(d);
	}
	closedir(d);
	return rc;
}

// rl_purge_fall_back execs rl's purge, the locks of the first done
// containers (let go already) replaced by /dev/null.
static void rl_purge_fall_back(const char *root, int done) {
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (int i = 0; i < done && null >= 0; i++)
		dup2(null, 3 + i);
	const char *rl = getenv("_RL_PURGE_RL");
	unsetenv("_RL_PURGE_C");
	unsetenv("_RL_PURGE_RL");
	if (rl != NULL) {
		char *args[] = {"rl", "purge", (char *)root, NULL};
		execv(rl, args);
	}
	_exit(1);
}

// rl_purge_wait waits, a minute at most, until the processes of the n
// pidfds from fd on have exited (a pidfd polls readable then).
static void rl_purge_wait(int fd, int n) {
	struct pollfd *fds = calloc(n > 0 ? n : 1, sizeof *fds);
	if (fds == NULL)
		return;
	for (int i = 0; i < n; i++) {
		fds[i].fd = fd + i;
		fds[i].events = POLLIN;
	}
	struct timespec now, end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 60;
	while (n > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000 + 1;
		if (left <= 0)
			break;
		if (poll(fds, n, (int)left) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n;) {
			if (fds[i].revents != 0)
				fds[i] = fds[--n];
			else
				i++;
		}
	}
	free(fds);
}

// rl_purge is the purge process's main: argv is rl-init purge ROOT
// RUNROOT, _RL_PURGE_C the number of pidfds to wait for and the ids.
void rl_purge(int argc, char **argv) {
	prctl(PR_SET_NAME, "rl purge");
	if (argc < 4)
		_exit(125);
	const char *arg = getenv("_RL_PURGE_C");
	char *spec = arg == NULL ? NULL : strdup(arg), *ids[RL_PURGE_MAX], *save = NULL;
	char *count = spec == NULL ? NULL : strtok_r(spec, " ", &save);
	if (count == NULL)
		_exit(125);
	int waits = atoi(count), n = 0;
	for (char *id; n < RL_PURGE_MAX && (id = strtok_r(NULL, " ", &save)) != NULL;)
		ids[n++] = id;
	// Ours are fds 3 to last; any other that rl had without close-on-exec
	// is not ours to keep open.
	int last = 3 + n + waits;
	syscall(SYS_close_range, last + 1, ~0U, 0);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/containers", argv[3]);
	int run = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(dir, sizeof dir, "%s/containers", argv[2]);
	int data = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *crash = getenv("RL_TEST_CRASH_AT");
	for (int i = 0; i < n; i++) {
		if (run < 0 || rl_rmtree(run, ids[i], 1, 0) < 0)
			rl_purge_fall_back(argv[2], i);
		if (crash != NULL && strcmp(crash, "purge") == 0)
			kill(getpid(), SIGKILL);
		if (data < 0 || rl_rmtree(data, ids[i], 1, 0) < 0)
			rl_purge_fall_back(argv[2], i);
		close(3 + i);
	}
	rl_purge_wait(3 + n + 1, waits);
	_exit(0);
}
*/
import "C"

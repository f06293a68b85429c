package main

// stage1 runs before the Go runtime starts (a constructor, as runc's
// nsexec). rl-init's first exec happens in the new user namespace before
// its maps exist, so that exec gave it no capabilities, and it must exec
// itself once more after rl has written the maps. Doing that wait and exec
// here, in C, spares a whole Go runtime start-up, which would also compete
// for the CPU with the newuidmap and newgidmap that rl runs meanwhile.
// Everything else about the stages lives in package rl/rootless/child;
// this is the fast path of its awaitMaps, which stays as the path of a
// build without cgo.

/*
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((constructor)) static void rl_stage1(int argc, char **argv, char **envp) {
	const char *fd = getenv("_RL_SYNC_FD");
	const char *stage = getenv("_RL_STAGE");
	if (fd == NULL || stage != NULL)
		return; // not started by rl, or already mapped: Go takes over
	char msg[256];
	ssize_t n;
	do {
		n = recv(atoi(fd), msg, sizeof msg - 1, 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		_exit(125); // rl went away before writing the maps
	msg[n] = 0;
	if (strstr(msg, "\"kind\":\"mapped\"") == NULL) {
		fprintf(stderr, "rl-init: unexpected message while waiting for the uid/gid maps\n");
		_exit(125);
	}
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len < 0)
		return;
	self[len] = 0;
	setenv("_RL_STAGE", "mapped", 1);
	execv(self, argv);
	fprintf(stderr, "rl-init: executing %s: %s\n", self, strerror(errno));
	_exit(125);
}
*/
import "C"

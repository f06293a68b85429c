package main

import (
	"context"
	"os"
	"os/signal"
	"strconv"

	"golang.org/x/sys/unix"
)

// parentEnv names the process that must outlive each of rl-image's
// processes: rl sets it to its own pid when it starts rl-image, rl-image
// to its own before it re-executes itself in the user namespace and
// before the store runs its helpers (storage-untar, storage-applyLayer,
// which are rl-image re-executed).
const parentEnv = "_RL_IMAGE_PARENT"

// dieWithParent makes the kernel send SIGTERM to this process when its
// parent dies (PR_SET_PDEATHSIG), and exits at once if the parent it was
// started for has died already, before the request (prctl(2): the signal
// only covers deaths after the call). rl-image, its re-execution in the
// user namespace and the store's helpers each do this first: a pull that
// rl no longer waits for must stop, not run on under PID 1. SIGTERM
// rather than SIGKILL, so that a pull cancels its work and removes its
// temporary files (see interruptible); the helpers die of it.
//
// containers/storage starts the re-execution with a SIGKILL parent death
// signal; this replaces it with SIGTERM, so that the re-execution too
// cleans up when the first rl-image is killed.
func dieWithParent() {
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGTERM), 0, 0, 0)
	if want := os.Getenv(parentEnv); want != "" && want != strconv.Itoa(os.Getppid()) {
		os.Exit(125)
	}
}

// adopt names this process as the parent that the processes it starts
// must outlive (see dieWithParent).
func adopt() {
	_ = os.Setenv(parentEnv, strconv.Itoa(os.Getpid()))
}

// interruptible returns a context that SIGTERM, SIGINT and SIGHUP cancel:
// rl forwards its own (Ctrl-C at its terminal, a kill, its death through
// dieWithParent), and containers/image then stops, removes its temporary
// files (/var/tmp/container_images_storage*) and commits no image. The
// signals stay caught until rl-image exits: the terminal's Ctrl-C reaches
// this process once directly and again as the first rl-image and rl
// forward it, and none of those may cut the clean-up short. The second
// result reports which signal came, if one did.
func interruptible() (context.Context, func() os.Signal) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, unix.SIGTERM, unix.SIGINT, unix.SIGHUP)
	got := make(chan os.Signal, 1)
	go func() {
		got <- <-ch
		cancel()
		for range ch {
		}
	}()
	return ctx, func() os.Signal {
		select {
		case s := <-got:
			got <- s
			return s
		default:
			return nil
		}
	}
}

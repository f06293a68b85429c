package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// engineFlags are podman's global flags that are not about rl's store:
// some rl honours (--noout, --out, --cgroup-manager), some it accepts for
// scripts' sake and says what it does with them.
type engineFlags struct {
	noout         bool
	out           string
	storageDriver string
	runtime       string
	runtimeFlags  []string
	cgroupManager string
	eventsBackend string
	url           string
	connection    string
}

func (e *engineFlags) register(pf *pflag.FlagSet) {
	pf.BoolVar(&e.noout, "noout", false, "do not print anything on stdout")
	pf.StringVar(&e.out, "out", "", "write what would go to stdout to this file")
	pf.StringVar(&e.storageDriver, "storage-driver", "", "the storage driver: overlay (the only one rl has)")
	pf.StringVar(&e.runtime, "runtime", "", "ignored: rl runs containers with its own rl-init, not an OCI runtime")
	pf.StringArrayVar(&e.runtimeFlags, "runtime-flag", nil, "ignored: rl has no OCI runtime to pass flags to")
	pf.StringVar(&e.cgroupManager, "cgroup-manager", "", "systemd or cgroupfs (default: containers.conf's cgroup_manager, else what rl finds)")
	pf.StringVar(&e.eventsBackend, "events-backend", "", "file, journald or none: accepted; rl records no events")
	pf.StringVar(&e.url, "url", "", "refused: rl has no service to connect to")
	pf.StringVar(&e.connection, "connection", "", "refused: rl has no service to connect to")
	for _, n := range []string{"url", "connection"} {
		_ = pf.MarkHidden(n)
	}
}

// apply checks the flags and redirects stdout as --noout and --out say.
func (e *engineFlags) apply() error {
	switch {
	case e.url != "" || e.connection != "":
		return errors.New("--url and --connection are refused: rl has no service to connect to; it runs containers itself, on this machine")
	case e.storageDriver != "" && e.storageDriver != "overlay":
		return fmt.Errorf("invalid --storage-driver %q: rl stores images and containers with overlay only", e.storageDriver)
	case e.cgroupManager != "" && e.cgroupManager != "systemd" && e.cgroupManager != "cgroupfs":
		return fmt.Errorf("invalid --cgroup-manager %q: use systemd or cgroupfs", e.cgroupManager)
	case e.eventsBackend != "" && !slices.Contains([]string{"file", "journald", "none"}, e.eventsBackend):
		return fmt.Errorf("invalid --events-backend %q: use file, journald or none", e.eventsBackend)
	}
	if e.runtime != "" {
		slog.Warn("--runtime is ignored: rl runs containers with its own rl-init", "runtime", e.runtime)
	}
	if len(e.runtimeFlags) > 0 {
		slog.Warn("--runtime-flag is ignored: rl has no OCI runtime to pass flags to", "flags", strings.Join(e.runtimeFlags, " "))
	}
	target := e.out
	if e.noout {
		target = os.DevNull
	}
	if target == "" {
		return nil
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("opening --out file: %w", err)
	}
	// (Left open: it is stdout until rl exits.)
	os.Stdout = f
	return nil
}

// podmanLogLevels are podman's --log-level names that slog spells
// otherwise.
var podmanLogLevels = map[string]string{"trace": "debug", "warning": "warn", "fatal": "error", "panic": "error"}

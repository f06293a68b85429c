package launch

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/userns"
)

// The shared user namespace. newuidmap and newgidmap, two setuid programs
// run for every user namespace made with subordinate ranges, cost a few
// milliseconds of every start. So, as podman keeps one user namespace
// alive in its pause process, rl keeps one per user in a holder: an
// rl-init that sleeps in it (as "rl-userns"), made with the maps on first
// use and found again by its pid file. Containers join it and make the
// rest of their namespaces inside it, so they share one user namespace,
// as podman's do. The holder is made again when it is gone or its maps
// are not the caller's any more (/etc/subuid changed).

// holderFile, in the holder's directory, names the holder: its pid and the
// inode of its user namespace, which tells it from a later process with
// its pid.
const holderFile = "userns.pid"

// holder returns the pid of the holder of the caller's shared user
// namespace with the outer maps of m, whose pid file is in dir: the one
// that runs, or a new one. One with other maps is replaced (and killed:
// the containers in its namespace run on, a namespace lives as long as a
// process in it).
func (w world) holder(dir string, m userns.Mappings, crashpoint func(string)) (int, error) {
	path := filepath.Join(dir, holderFile)
	if pid, ok := liveHolder(path, m.Outer); ok {
		return pid, nil
	}
	lock, err := os.OpenFile(filepath.Join(dir, "userns.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 0, fmt.Errorf("locking the shared user namespace: %w", err)
	}
	defer lock.Close()
	for err = unix.EINTR; errors.Is(err, unix.EINTR); {
		err = unix.Flock(int(lock.Fd()), unix.LOCK_EX)
	}
	if err != nil {
		return 0, fmt.Errorf("locking the shared user namespace: %w", err)
	}
	// Another rl may have made one while we waited for the lock.
	if pid, ok := liveHolder(path, m.Outer); ok {
		return pid, nil
	}
	old, oldIno, _ := readHolder(path)
	l, err := w.run(Options{
		Variant: Variant{Kind: Holder}, Maps: m,
		Record: func(pid int) error {
			ino, err := nsInode(pid)
			if err == nil {
				err = writeHolder(path, pid, ino)
			}
			crashpoint("holder")
			return err
		},
	})
	if err != nil {
		return 0, fmt.Errorf("starting the shared user namespace: %w", err)
	}
	// Detached: it is the holder's to live on, not ours to reap.
	l.sock.Close()
	if ino, err := nsInode(old); err == nil && ino == oldIno {
		slog.Debug("replacing the shared user namespace's holder", "old", old, "new", l.Pid)
		_ = unix.Kill(old, unix.SIGKILL)
	}
	return l.Pid, nil
}

// liveHolder returns the pid that the holder file at path names when that
// process still holds the user namespace named there, with the maps want.
func liveHolder(path string, want userns.Level) (int, bool) {
	pid, ino, err := readHolder(path)
	if err != nil {
		return 0, false
	}
	if got, err := nsInode(pid); err != nil || got != ino {
		return 0, false
	}
	return pid, hasMaps(pid, "uid_map", want.UIDs) && hasMaps(pid, "gid_map", want.GIDs)
}

// readHolder reads the pid and namespace inode of a holder file.
func readHolder(path string) (pid int, ino uint64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("%s: not a pid and an inode", path)
	}
	if pid, err = strconv.Atoi(f[0]); err != nil {
		return 0, 0, err
	}
	ino, err = strconv.ParseUint(f[1], 10, 64)
	return pid, ino, err
}

// writeHolder writes a holder file: a new file renamed over the old one,
// so that a reader never sees half of it.
func writeHolder(path string, pid int, ino uint64) error {
	tmp := path + ".new"
	if err := os.WriteFile(tmp, fmt.Appendf(nil, "%d %d\n", pid, ino), 0o600); err != nil {
		return fmt.Errorf("recording the shared user namespace: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("recording the shared user namespace: %w", err)
	}
	return nil
}

// nsInode returns the inode of pid's user namespace.
func nsInode(pid int) (uint64, error) {
	if pid <= 0 {
		return 0, errors.New("no pid")
	}
	var st unix.Stat_t
	if err := unix.Stat("/proc/"+strconv.Itoa(pid)+"/ns/user", &st); err != nil {
		return 0, err
	}
	return st.Ino, nil
}

// hasMaps is true when /proc/PID/file (uid_map or gid_map) holds exactly
// maps.
func hasMaps(pid int, file string, maps []userns.IDMap) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/" + file)
	return err == nil && slices.Equal(strings.Fields(string(b)), userns.Args(maps))
}

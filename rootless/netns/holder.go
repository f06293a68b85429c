package netns

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// holder is the process that holds the rootless netns: rl, in the
// network and mount namespaces made for it inside the shared user
// namespace, serving the programs that work there (serve.go). Its record
// names the namespaces' inodes too, which tell it from a later process
// with its pid.
type holder struct {
	Pid           int
	NetNS, UserNS uint64
	dir           string // the rootless netns's, where its socket is
}

// slirpTap is the rootless netns's link to slirp4netns, with slirp4netns's
// addresses (10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3).
const slirpTap = "tap0"

// slirpDNS is slirp4netns's DNS forwarder, which asks the host's resolvers.
const slirpDNS = "10.0.2.3"

// readHolder reads the holder's record in dir.
func readHolder(dir string) (holder, error) {
	var h holder
	b, err := os.ReadFile(filepath.Join(dir, "holder"))
	if err != nil {
		return h, err
	}
	_, err = fmt.Sscanf(string(b), "%d %d %d", &h.Pid, &h.NetNS, &h.UserNS)
	h.dir = dir
	return h, err
}

// alive is true when h still holds the namespaces it was recorded with.
func (h holder) alive() bool {
	return h.Pid > 0 && nsInode(h.Pid, "net") == h.NetNS && h.NetNS != 0 && nsInode(h.Pid, "user") == h.UserNS
}

// nsInode is the inode of pid's namespace kind (net, user), 0 when there
// is no such process.
func nsInode(pid int, kind string) uint64 {
	var st unix.Stat_t
	if unix.Stat("/proc/"+strconv.Itoa(pid)+"/ns/"+kind, &st) != nil {
		return 0
	}
	return st.Ino
}

// startHolder makes the rootless netns inside the user namespace of
// userPid (a container's rl-init, in the caller's shared user namespace),
// records its holder in dir and starts slirp4netns for it. The holder
// holds the write end of slirp4netns's exit pipe, so slirp4netns ends
// with it, also when it is killed.
func startHolder(dir string, userPid int) (h holder, err error) {
	self, err := os.Executable()
	if err != nil {
		return h, fmt.Errorf("finding rl: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("nameserver "+slirpDNS+"\n"), 0o644); err != nil {
		return h, fmt.Errorf("starting the rootless network namespace: %w", err)
	}
	// RunHolder; ps shows it as "rl network-holder".
	cmd := enter(userPid)
	cmd.Args = append(cmd.Args, "unshare", "--net", "--mount", "--propagation", "private", "--", self, "network-holder")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return h, err
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return h, err
	}
	exitR, exitW, err := os.Pipe()
	if err != nil {
		return h, err
	}
	defer exitR.Close()
	cmd.ExtraFiles = []*os.File{exitW}
	cmd.Env = append(markedEnv(dir), envHolder+"="+dir)
	// Its own session: a ^C at rl's terminal is not for it.
	cmd.SysProcAttr = &unix.SysProcAttr{Setsid: true}
	err = cmd.Start()
	exitW.Close()
	if err != nil {
		return h, fmt.Errorf("starting the rootless network namespace: %w", err)
	}
	go func() { _ = cmd.Wait() }() // reaped while rl lives; init's once it is gone
	defer func() {
		if err != nil {
			_ = cmd.Process.Kill()
		}
	}()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	stdout.Close()
	if line = strings.TrimSpace(line); line != "ready" {
		return h, fmt.Errorf("starting the rootless network namespace: %s", cmp.Or(line, "nsenter or unshare failed (hint: install util-linux)"))
	}
	h = holder{Pid: cmd.Process.Pid, NetNS: nsInode(cmd.Process.Pid, "net"), UserNS: nsInode(cmd.Process.Pid, "user"), dir: dir}
	rec := fmt.Sprintf("%d %d %d\n", h.Pid, h.NetNS, h.UserNS)
	if err := os.WriteFile(filepath.Join(dir, "holder"), []byte(rec), 0o600); err != nil {
		return h, fmt.Errorf("recording the rootless network namespace: %w", err)
	}
	if err := startSlirp(dir, h.Pid, exitR); err != nil {
		return h, err
	}
	if _, err := stdin.Write([]byte("go\n")); err != nil {
		return h, fmt.Errorf("starting the rootless network namespace: %w", err)
	}
	return h, nil
}

// startSlirp starts slirp4netns for the rootless netns of the holder pid,
// as podman does: in the holder's user namespace (as its root, which owns
// the rootless netns) but the host's network, where it makes its sockets;
// it joins the rootless netns only to make and configure tap0
// (--configure), and serves it until exitR reads EOF (the holder is
// gone).
func startSlirp(dir string, pid int, exitR *os.File) error {
	binary, err := exec.LookPath("slirp4netns")
	if err != nil {
		return fmt.Errorf("starting the rootless network namespace's slirp4netns: %w (hint: install the package slirp4netns)", err)
	}
	logPath := filepath.Join(dir, "slirp4netns.log")
	log, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer log.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer readyR.Close()
	cmd := enter(pid)
	cmd.Args = append(cmd.Args, binary, "--configure", "--mtu", "65520", "--disable-host-loopback",
		"--enable-sandbox", "--enable-seccomp", "--ready-fd", "3", "--exit-fd", "4",
		"--netns-type", "path", "/proc/"+strconv.Itoa(pid)+"/ns/net", slirpTap)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.ExtraFiles = []*os.File{readyW, exitR}
	cmd.Env = markedEnv(dir)
	cmd.SysProcAttr = &unix.SysProcAttr{Setsid: true}
	err = cmd.Start()
	readyW.Close()
	if err != nil {
		return fmt.Errorf("starting the rootless network namespace's slirp4netns: %w", err)
	}
	go func() { _ = cmd.Wait() }()
	if n, _ := readyR.Read(make([]byte, 1)); n != 1 {
		b, _ := os.ReadFile(logPath)
		return fmt.Errorf("starting the rootless network namespace's slirp4netns: it exited (%s)", strings.TrimSpace(string(b)))
	}
	return nil
}

// stop ends the rootless netns of h: aardvark-dns, should netavark not
// have stopped it (it runs inside; its pid file is in the config dir),
// and the holder, with which slirp4netns ends. Then the directory's state
// goes.
func (h holder) stop(dir string) {
	if b, err := os.ReadFile(filepath.Join(configDir(dir), "aardvark-dns", "aardvark.pid")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && h.NetNS != 0 && nsInode(pid, "net") == h.NetNS {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
	if h.alive() {
		_ = unix.Kill(h.Pid, unix.SIGKILL)
	}
	for _, name := range []string{"holder", sockName, "state.json", "slirp4netns.log", "resolv.conf", "netavark", "ns"} {
		_ = os.RemoveAll(filepath.Join(dir, name))
	}
}

// envMark, in the environment of the holder and of slirp4netns, names
// the rootless netns's directory: ps e shows whose they are, and the tests
// find them by it.
const envMark = "_RL_NETNS"

// markedEnv is rl's environment with envMark set to dir.
func markedEnv(dir string) []string { return append(os.Environ(), envMark+"="+dir) }

// configDir is netavark's --config directory (and aardvark-dns's, under
// it).
func configDir(dir string) string { return filepath.Join(dir, "netavark") }

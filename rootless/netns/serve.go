package netns

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The holder is rl itself, started in the rootless netns's network and
// mount namespaces (nsenter into the shared user namespace, then unshare,
// then rl: one exec chain, one pid). Besides holding the namespaces, it
// runs the programs that work in them for the front ends, asked over a
// unix socket in the rootless netns's directory: a netavark setup then
// costs one fork of the holder rather than nsenter, sh and mount(8) (three
// execs, ~5 ms here), and the container's network namespace is bound by
// one mount(2). It serves one request at a time; the front ends hold the
// rootless netns's lock around theirs anyway.

// envHolder marks rl re-executed as the holder; its value is the rootless
// netns's directory.
const envHolder = "_RL_NETNS_HOLDER"

// sockName is the holder's socket in the rootless netns's directory.
const sockName = "holder.sock"

// request is a program for the holder to run in the rootless netns.
type request struct {
	// Args are the program (a name is looked up on Env's PATH) and its
	// arguments; Env its environment, when nil the asking front end's,
	// with /usr/sbin and /sbin on its PATH (sbinPath).
	Args, Env []string
	Stdin     []byte
	// Bind, when set, is bound from BindFrom (a container's
	// /proc/PID/ns/net) before the program runs; Unbind is unmounted
	// once it has exited, whatever its exit code.
	Bind, BindFrom, Unbind string
}

// response is what the program did.
type response struct {
	Stdout, Stderr []byte
	// Code is its exit code; Err says why it did not run or exit.
	Code int
	Err  string
}

// IsHolder is true in the rl that startHolder started.
func IsHolder() bool { return os.Getenv(envHolder) != "" }

// RunHolder is the holder's main function (startHolder's side of it): it
// binds dir/resolv.conf over /etc/resolv.conf in its mount namespace
// (aardvark-dns forwards the names it does not know to the servers there,
// and the host's may be on its loopback, as systemd-resolved's, which the
// rootless netns cannot reach; podman does the same), listens on its
// socket, says "ready", then waits for the front end's go, which comes
// once the front end has recorded it and started slirp4netns, and serves
// for as long as the rootless netns lives. A front end killed before its
// go closes the pipe instead, and the holder exits with its namespaces.
// It returns its exit code.
func RunHolder() int {
	dir := os.Getenv(envHolder)
	os.Unsetenv(envHolder)
	// fd 3 is slirp4netns's exit pipe: held, and not passed on to the
	// programs run (aardvark-dns outlives them).
	unix.CloseOnExec(3)
	_ = unix.Mount(filepath.Join(dir, "resolv.conf"), "/etc/resolv.conf", "", unix.MS_BIND, "")
	l, err := listen(dir)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println("ready")
	if line, _ := bufio.NewReader(os.Stdin).ReadString('\n'); line != "go\n" {
		return 1
	}
	if null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0); err == nil {
		for fd := range 3 {
			_ = unix.Dup2(int(null.Fd()), fd)
		}
		null.Close()
	}
	for {
		c, err := l.Accept()
		if err != nil {
			return 1
		}
		serve(c)
	}
}

// serve answers the request on c.
func serve(c net.Conn) {
	defer c.Close()
	var req request
	if err := json.NewDecoder(c).Decode(&req); err != nil || len(req.Args) == 0 {
		return
	}
	_ = json.NewEncoder(c).Encode(req.run())
}

// run carries out req.
func (req request) run() response {
	if req.Bind != "" {
		if err := unix.Mount(req.BindFrom, req.Bind, "", unix.MS_BIND, ""); err != nil {
			return response{Code: -1, Err: fmt.Sprintf("binding %s at %s: %v", req.BindFrom, req.Bind, err)}
		}
	}
	if req.Unbind != "" {
		defer func() { _ = unix.Unmount(req.Unbind, unix.MNT_DETACH) }()
	}
	cmd := &exec.Cmd{Path: program(req.Args[0], req.Env), Args: req.Args, Env: req.Env, Dir: "/"}
	cmd.Stdin = bytes.NewReader(req.Stdin)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	res := response{Stdout: out.Bytes(), Stderr: stderr.Bytes(), Code: cmd.ProcessState.ExitCode()}
	if err != nil {
		res.Err = err.Error()
	}
	return res
}

// program is the path of the program name, looked up on the PATH of env;
// a name with a slash, or one not found, is kept as it is.
func program(name string, env []string) string {
	if strings.Contains(name, "/") {
		return name
	}
	for _, kv := range env {
		if path, ok := strings.CutPrefix(kv, "PATH="); ok {
			return cmp.Or(lookIn(name, filepath.SplitList(path)), name)
		}
	}
	return name
}

// ask has the holder of the rootless netns in dir run req, and returns
// the program's output; a program that fails is an error with its exit
// code.
func ask(dir string, req request) (response, error) {
	var res response
	if req.Env == nil {
		req.Env = sbinPath(os.Environ())
	}
	c, err := dialHolder(dir)
	if err != nil {
		return res, fmt.Errorf("asking the rootless network namespace's holder: %w (hint: stop the containers on networks, then retry)", err)
	}
	defer c.Close()
	if err := json.NewEncoder(c).Encode(req); err != nil {
		return res, fmt.Errorf("asking the rootless network namespace's holder: %w", err)
	}
	if err := json.NewDecoder(c).Decode(&res); err != nil {
		return res, fmt.Errorf("reading the rootless network namespace's holder's answer: %w", err)
	}
	if res.Err != "" {
		return res, errors.New(res.Err)
	}
	return res, nil
}

// listen and dialHolder name the socket through the directory's fd (a
// sun_path holds 107 bytes; a run root can be longer).
func listen(dir string) (net.Listener, error) {
	var l net.Listener
	err := inDir(dir, func(path string) (err error) {
		_ = os.Remove(path)
		l, err = net.Listen("unix", path)
		return err
	})
	return l, err
}

func dialHolder(dir string) (net.Conn, error) {
	var c net.Conn
	err := inDir(dir, func(path string) (err error) {
		c, err = net.Dial("unix", path)
		return err
	})
	return c, err
}

// inDir calls f with a short path of dir's socket: /proc/self/fd/N/NAME,
// N being dir opened as O_PATH for the call.
func inDir(dir string, f func(path string) error) error {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening %s: %w", dir, err)
	}
	defer unix.Close(fd)
	return f("/proc/self/fd/" + strconv.Itoa(fd) + "/" + sockName)
}

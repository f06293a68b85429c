package handshake

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

func TestRoundTrip(t *testing.T) {
	p, c, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	want := Message{Kind: Start, Spec: &spec.Spec{ID: "abc", Args: []string{"sh", "-c", "true"}, TTYGroup: 5}}
	if err := Send(int(p.Fd()), want); err != nil {
		t.Fatal(err)
	}
	got, fds, err := Recv(int(c.Fd()))
	if err != nil || len(fds) != 0 {
		t.Fatalf("Recv: %v %v", fds, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}

	// An fd rides along with a PTY message.
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	if err := Send(int(c.Fd()), Message{Kind: PTY}, int(f.Fd())); err != nil {
		t.Fatal(err)
	}
	got, fds, err = Recv(int(p.Fd()))
	if err != nil || got.Kind != PTY || len(fds) != 1 {
		t.Fatalf("Recv PTY: %+v %v %v", got, fds, err)
	}
	unix.Close(fds[0])

	// A failure keeps its errno; closing the child's end reads as EOF.
	if err := Send(int(c.Fd()), Message{Kind: Failed, Error: &Error{Op: "mounting", Msg: "x", Errno: int(unix.EPERM), Code: 125}}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	got, _, err = Recv(int(p.Fd()))
	if err != nil || !errors.Is(got.Error, unix.EPERM) {
		t.Fatalf("Recv Failed: %+v %v", got, err)
	}
	if _, _, err := Recv(int(p.Fd())); !errors.Is(err, io.EOF) {
		t.Errorf("after close: err = %v, want EOF", err)
	}
}

// pair is Pair's ends as fds, closed at the end of the test (closing an
// end early is the test's business: use the *os.File).
func pair(t *testing.T) (parent, child *os.File) {
	t.Helper()
	p, c, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(); c.Close() })
	return p, c
}

func TestPair(t *testing.T) {
	p, c := pair(t)
	for _, f := range []*os.File{p, c} {
		fd := int(f.Fd())
		typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
		if err != nil {
			t.Fatal(err)
		}
		if typ != unix.SOCK_SEQPACKET {
			t.Errorf("%s: socket type %d, want SOCK_SEQPACKET (%d)", f.Name(), typ, unix.SOCK_SEQPACKET)
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			t.Fatal(err)
		}
		if flags&unix.FD_CLOEXEC == 0 {
			t.Errorf("%s is not close-on-exec", f.Name())
		}
	}
}

// TestEveryKind sends each message kind the way it travels and reads it
// back unchanged.
func TestEveryKind(t *testing.T) {
	full := &spec.Spec{
		ID:       "c0ffee",
		Hostname: "box",
		Args:     []string{"sh", "-c", "echo 'a b'"},
		Env:      []string{"PATH=/usr/bin:/bin", "EMPTY=", "UNICODE=\u00e9\u2603"},
		Cwd:      "/work dir",
		User:     spec.User{UID: 1000, GID: 1000, AdditionalGIDs: []uint32{10, 27}},
		Terminal: true,
		Init:     true,
		Network:  "pasta",
		Interface: &spec.Interface{
			Dev: "tap0", Address: "10.0.2.100/24", Gateway: "10.0.2.2", MTU: 65520,
		},
		Rootfs: spec.Rootfs{
			Lower: []string{"/l/2", "/l/1"}, Upper: "/c/upper", Work: "/c/work",
			Mountpoint: "/c/merged", UserXattr: true,
		},
		Mounts:      []spec.Mount{{Kind: "bind", Source: "/src", Destination: "/dst", ReadOnly: true}, {Kind: "tmpfs", Destination: "/tmp", Data: "size=64m", Flags: unix.MS_NOEXEC}},
		ReadOnly:    true,
		PreserveFDs: 2,
		NoSetgroups: true,
		TTYGroup:    -1,
	}
	tests := []struct {
		name string
		// fromChild: the message travels child → parent.
		fromChild bool
		m         Message
	}{
		{name: "begin container", m: Message{Kind: Begin, Variant: VariantContainer}},
		{name: "begin exec", m: Message{Kind: Begin, Variant: VariantExec, Target: 4242}},
		{name: "begin pod", m: Message{Kind: Begin, Variant: VariantPod, Target: 1}},
		{name: "begin remove", m: Message{Kind: Begin, Variant: VariantRemove}},
		{name: "start", m: Message{Kind: Start, Spec: full}},
		{name: "start minimal", m: Message{Kind: Start, Spec: &spec.Spec{Args: []string{"true"}}}},
		{name: "join", m: Message{Kind: Join}},
		{name: "placed", m: Message{Kind: Placed}},
		{name: "remove", m: Message{Kind: Remove, Paths: []string{"/home/u/.local/share/rl/c0ffee", "/with space/and\nnewline"}}},
		{name: "pty", fromChild: true, m: Message{Kind: PTY}},
		{name: "exec", fromChild: true, m: Message{Kind: Exec}},
		{name: "failed", fromChild: true, m: Message{Kind: Failed, Error: &Error{
			Op: "mounting the overlay", Msg: "operation not permitted", Errno: int(unix.EPERM), Code: 125, Cause: CauseOverlay,
		}}},
		{name: "failed without errno", fromChild: true, m: Message{Kind: Failed, Error: &Error{Op: "exec", Msg: "not found", Code: 127}}},
	}
	kinds := map[Kind]bool{}
	for _, tt := range tests {
		kinds[tt.m.Kind] = true
		t.Run(tt.name, func(t *testing.T) {
			p, c := pair(t)
			from, to := p, c
			if tt.fromChild {
				from, to = c, p
			}
			if err := Send(int(from.Fd()), tt.m); err != nil {
				t.Fatal(err)
			}
			got, fds, err := Recv(int(to.Fd()))
			if err != nil {
				t.Fatal(err)
			}
			if len(fds) != 0 {
				t.Errorf("Recv returned fds %v for a message sent without", fds)
			}
			if !reflect.DeepEqual(got, tt.m) {
				t.Errorf("Recv = %+v, want %+v", got, tt.m)
			}
		})
	}
	all := []Kind{Begin, Start, Join, Placed, Remove, PTY, Exec, Failed}
	seen := map[Kind]bool{}
	for _, k := range all {
		if k == "" || seen[k] {
			t.Errorf("kind %q is empty or not distinct", k)
		}
		seen[k] = true
		if !kinds[k] {
			t.Errorf("kind %q has no case", k)
		}
	}
}

// TestMessageBoundaries: messages sent back to back are read one per Recv,
// in order.
func TestMessageBoundaries(t *testing.T) {
	p, c := pair(t)
	sent := []Message{
		{Kind: Begin, Variant: VariantContainer},
		{Kind: Start, Spec: &spec.Spec{ID: "x", Args: []string{"true"}}},
		{Kind: Placed},
	}
	for _, m := range sent {
		if err := Send(int(p.Fd()), m); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range sent {
		got, _, err := Recv(int(c.Fd()))
		if err != nil {
			t.Fatalf("Recv %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Recv %d = %+v, want %+v", i, got, want)
		}
	}
	// Nothing else is queued.
	if _, _, _, _, err := unix.Recvmsg(int(c.Fd()), make([]byte, 1), nil, unix.MSG_DONTWAIT); !errors.Is(err, unix.EAGAIN) {
		t.Errorf("after the last message: %v, want EAGAIN", err)
	}
}

// sameFile tells whether two fds name the same open file.
func sameFile(t *testing.T, a, b int) bool {
	t.Helper()
	var sa, sb unix.Stat_t
	if err := unix.Fstat(a, &sa); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fstat(b, &sb); err != nil {
		t.Fatal(err)
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino
}

func TestPassFDs(t *testing.T) {
	for _, n := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("%d fds", n), func(t *testing.T) {
			p, c := pair(t)
			var reads, writes []int
			for i := 0; i < n; i++ {
				var fds [2]int
				if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
				reads, writes = append(reads, fds[0]), append(writes, fds[1])
			}
			if err := Send(int(c.Fd()), Message{Kind: PTY}, writes...); err != nil {
				t.Fatal(err)
			}
			m, got, err := Recv(int(p.Fd()))
			if err != nil {
				t.Fatal(err)
			}
			for _, fd := range got {
				t.Cleanup(func() { unix.Close(fd) })
			}
			if m.Kind != PTY {
				t.Errorf("Kind = %q, want %q", m.Kind, PTY)
			}
			if len(got) != n {
				t.Fatalf("Recv returned %d fds %v, want %d", len(got), got, n)
			}
			for i, fd := range got {
				if fd == writes[i] {
					t.Errorf("fd %d: received the sender's own number %d, want a new one", i, fd)
				}
				if !sameFile(t, fd, writes[i]) {
					t.Errorf("fd %d: received fd %d is not the pipe sent", i, fd)
				}
				flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
				if err != nil {
					t.Fatal(err)
				}
				if flags&unix.FD_CLOEXEC == 0 {
					t.Errorf("fd %d: received fd %d is not close-on-exec", i, fd)
				}
				// The received fd is the pipe's write end: what goes in
				// comes out of the read end kept here.
				msg := []byte(fmt.Sprintf("through %d", i))
				if _, err := unix.Write(fd, msg); err != nil {
					t.Fatal(err)
				}
				buf := make([]byte, 64)
				k, err := unix.Read(reads[i], buf)
				if err != nil || string(buf[:k]) != string(msg) {
					t.Errorf("fd %d: read %q, %v, want %q", i, buf[:k], err, msg)
				}
			}
		})
	}
}

// TestRecvTooManyFDs: Recv has room for four fds; more is an error, not a
// silent loss.
func TestRecvTooManyFDs(t *testing.T) {
	p, c := pair(t)
	var fds []int
	for i := 0; i < 5; i++ {
		f, err := os.Open("/dev/null")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		fds = append(fds, int(f.Fd()))
	}
	if err := Send(int(c.Fd()), Message{Kind: PTY}, fds...); err != nil {
		t.Fatal(err)
	}
	_, got, err := Recv(int(p.Fd()))
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("Recv of 5 fds = %v, %v; want a truncation error", got, err)
	}
}

func TestEOF(t *testing.T) {
	for _, closeChild := range []bool{true, false} {
		name := "parent reads child's close"
		if !closeChild {
			name = "child reads parent's close"
		}
		t.Run(name, func(t *testing.T) {
			p, c := pair(t)
			closing, reading := c, p
			if !closeChild {
				closing, reading = p, c
			}
			// What was sent before the close is still read first.
			if err := Send(int(closing.Fd()), Message{Kind: Exec}); err != nil {
				t.Fatal(err)
			}
			if err := closing.Close(); err != nil {
				t.Fatal(err)
			}
			m, _, err := Recv(int(reading.Fd()))
			if err != nil || m.Kind != Exec {
				t.Fatalf("Recv before EOF = %+v, %v", m, err)
			}
			for i := 0; i < 2; i++ {
				m, fds, err := Recv(int(reading.Fd()))
				if !errors.Is(err, io.EOF) {
					t.Errorf("Recv %d after close = %+v, %v, %v; want io.EOF", i, m, fds, err)
				}
			}
			// Sending to the closed end fails and names the message.
			err = Send(int(reading.Fd()), Message{Kind: Placed})
			if !errors.Is(err, unix.EPIPE) || !strings.Contains(err.Error(), string(Placed)) {
				t.Errorf("Send to a closed peer = %v, want EPIPE naming %q", err, Placed)
			}
		})
	}
}

func TestRecvErrors(t *testing.T) {
	t.Run("not json", func(t *testing.T) {
		p, c := pair(t)
		f, err := os.Open("/dev/null")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := unix.Sendmsg(int(p.Fd()), []byte("{not json"), unix.UnixRights(int(f.Fd())), nil, 0); err != nil {
			t.Fatal(err)
		}
		_, fds, err := Recv(int(c.Fd()))
		if err == nil || !strings.Contains(err.Error(), "decoding message") {
			t.Errorf("Recv of garbage = %v, want a decoding error", err)
		}
		// The fds come back with the error, for the caller to close.
		if len(fds) != 1 {
			t.Errorf("Recv of garbage with an fd returned fds %v, want one", fds)
		}
		for _, fd := range fds {
			unix.Close(fd)
		}
	})
	t.Run("not a socket", func(t *testing.T) {
		var fds [2]int
		if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fds[0])
		defer unix.Close(fds[1])
		_, _, err := Recv(fds[0])
		if errors.Is(err, io.EOF) || !errors.Is(err, unix.ENOTSOCK) {
			t.Errorf("Recv on a pipe = %v, want ENOTSOCK", err)
		}
		if err := Send(fds[1], Message{Kind: Exec}); !errors.Is(err, unix.ENOTSOCK) {
			t.Errorf("Send on a pipe = %v, want ENOTSOCK", err)
		}
	})
}

// TestSendTooLarge: a message bigger than the socket's send buffer is
// refused with advice, and nothing arrives.
func TestSendTooLarge(t *testing.T) {
	p, c := pair(t)
	sndbuf, err := unix.GetsockoptInt(int(p.Fd()), unix.SOL_SOCKET, unix.SO_SNDBUF)
	if err != nil {
		t.Fatal(err)
	}
	m := Message{Kind: Start, Spec: &spec.Spec{Env: []string{"BIG=" + strings.Repeat("x", sndbuf)}}}
	err = Send(int(p.Fd()), m)
	if err == nil || !strings.Contains(err.Error(), "more than one message can carry") || !strings.Contains(err.Error(), string(Start)) {
		t.Fatalf("Send of %d bytes = %v, want the too-large error", sndbuf, err)
	}
	if _, _, _, _, err := unix.Recvmsg(int(c.Fd()), make([]byte, 1), nil, unix.MSG_DONTWAIT); !errors.Is(err, unix.EAGAIN) {
		t.Errorf("after the refused Send: %v, want EAGAIN", err)
	}
}

func TestErrorUnwrap(t *testing.T) {
	tests := []struct {
		name    string
		e       *Error
		is      []error
		isNot   []error
		wantMsg string
	}{
		{
			name:    "EPERM",
			e:       &Error{Op: "mounting", Msg: "operation not permitted", Errno: int(unix.EPERM), Code: 125},
			is:      []error{unix.EPERM, os.ErrPermission},
			isNot:   []error{unix.EACCES, unix.ENOENT, os.ErrNotExist},
			wantMsg: "mounting: operation not permitted",
		},
		{
			name:    "ENOENT",
			e:       &Error{Op: "exec /bin/nope", Msg: "no such file or directory", Errno: int(unix.ENOENT), Code: 127},
			is:      []error{unix.ENOENT, os.ErrNotExist},
			isNot:   []error{unix.EPERM, os.ErrPermission},
			wantMsg: "exec /bin/nope: no such file or directory",
		},
		{
			name:    "EACCES",
			e:       &Error{Op: "exec /x", Msg: "permission denied", Errno: int(unix.EACCES), Code: 126},
			is:      []error{unix.EACCES, os.ErrPermission},
			isNot:   []error{unix.EPERM},
			wantMsg: "exec /x: permission denied",
		},
		{
			name:    "no errno",
			e:       &Error{Op: "reading the spec", Msg: "bad json", Code: 125},
			isNot:   []error{unix.EPERM, unix.ENOENT, unix.Errno(0), os.ErrNotExist},
			wantMsg: "reading the spec: bad json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Error(); got != tt.wantMsg {
				t.Errorf("Error() = %q, want %q", got, tt.wantMsg)
			}
			u := tt.e.Unwrap()
			if tt.e.Errno == 0 {
				if u != nil {
					t.Errorf("Unwrap = %v, want nil", u)
				}
			} else if !errors.Is(u, unix.Errno(tt.e.Errno)) {
				t.Errorf("Unwrap = %#v, want errno %d", u, tt.e.Errno)
			}
			// Directly, and wrapped the way the front end wraps it.
			for _, err := range []error{tt.e, fmt.Errorf("starting the container: %w", tt.e)} {
				for _, target := range tt.is {
					if !errors.Is(err, target) {
						t.Errorf("errors.Is(%v, %v) = false", err, target)
					}
				}
				for _, target := range tt.isNot {
					if errors.Is(err, target) {
						t.Errorf("errors.Is(%v, %v) = true", err, target)
					}
				}
				var e *Error
				if !errors.As(err, &e) || e != tt.e {
					t.Errorf("errors.As(%v) = %v, want the *Error", err, e)
				}
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	// A wait status as wait(2) encodes it: exit status in bits 8-15;
	// a signal in bits 0-6, bit 7 for a core dump.
	exited := func(code int) unix.WaitStatus { return unix.WaitStatus(code << 8) }
	signaled := func(sig unix.Signal, core bool) unix.WaitStatus {
		ws := unix.WaitStatus(sig)
		if core {
			ws |= 0x80
		}
		return ws
	}
	tests := []struct {
		name string
		ws   unix.WaitStatus
		want int
	}{
		{"exit 0", exited(0), 0},
		{"exit 1", exited(1), 1},
		{"exit 125", exited(125), 125},
		{"exit 255", exited(255), 255},
		{"SIGHUP", signaled(unix.SIGHUP, false), 129},
		{"SIGKILL", signaled(unix.SIGKILL, false), 137},
		{"SIGTERM", signaled(unix.SIGTERM, false), 143},
		{"SIGSEGV with a core dump", signaled(unix.SIGSEGV, true), 139},
		{"SIGABRT with a core dump", signaled(unix.SIGABRT, true), 134},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.ws); got != tt.want {
				t.Errorf("ExitCode(%#x) = %d, want %d", uint32(tt.ws), got, tt.want)
			}
		})
	}
}

// TestExitCodeOfProcesses checks ExitCode on statuses the kernel made.
func TestExitCodeOfProcesses(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	tests := []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 3", 3},
		{"exit 200", 200},
		{"kill -KILL $$", 137},
		{"kill -TERM $$", 143},
		{"kill -INT $$", 130},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			cmd := exec.Command(sh, "-c", tt.script)
			_ = cmd.Run() // a non-zero status is the point
			if cmd.ProcessState == nil {
				t.Fatal("sh did not run")
			}
			ws := unix.WaitStatus(cmd.ProcessState.Sys().(syscall.WaitStatus))
			if got := ExitCode(ws); got != tt.want {
				t.Errorf("ExitCode(%#x) = %d, want %d", uint32(ws), got, tt.want)
			}
		})
	}
}

func TestVariantJoins(t *testing.T) {
	tests := []struct {
		v    Variant
		want bool
	}{
		{VariantContainer, false},
		{VariantPrivileged, false},
		{VariantPod, true},
		{VariantExec, true},
		{VariantRemove, false},
		{VariantNested, false},
		{VariantShared, true},
		{VariantHolder, false},
		{"", false},
	}
	for _, tt := range tests {
		if got := tt.v.Joins(); got != tt.want {
			t.Errorf("Variant(%q).Joins() = %v, want %v", tt.v, got, tt.want)
		}
	}
}

// TestRecvAfterPeerClosedUnread checks that a message the peer sent before
// it closed with one of ours unread is still received: the kernel reports
// ECONNRESET once, ahead of it (rl exec into a container whose namespaces
// rl-init may not join: its Failed came after the front end's Start).
func TestRecvAfterPeerClosedUnread(t *testing.T) {
	parent, child, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer parent.Close()
	if err := Send(int(parent.Fd()), Message{Kind: Join}); err != nil {
		t.Fatal(err)
	}
	failed := Message{Kind: Failed, Error: &Error{Op: "joining the container's namespaces", Msg: "ipc: operation not permitted", Errno: int(unix.EPERM), Code: 125}}
	if err := Send(int(child.Fd()), failed); err != nil {
		t.Fatal(err)
	}
	child.Close() // with Join unread
	got, _, err := Recv(int(parent.Fd()))
	if err != nil || !reflect.DeepEqual(got, failed) {
		t.Fatalf("Recv = %+v, %v; want %+v", got, err, failed)
	}
	if _, _, err := Recv(int(parent.Fd())); !errors.Is(err, io.EOF) {
		t.Errorf("Recv after the peer's last message = %v, want EOF", err)
	}
}

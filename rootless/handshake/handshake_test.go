package handshake

import (
	"errors"
	"io"
	"os"
	"reflect"
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
	if _, _, err := Recv(int(p.Fd())); err != io.EOF {
		t.Errorf("after close: err = %v, want EOF", err)
	}
}

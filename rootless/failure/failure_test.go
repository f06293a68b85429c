package failure

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

func TestNew(t *testing.T) {
	err := fmt.Errorf("pulling x: writing blob: %w", &fs.PathError{Op: "write", Path: "/s/f", Err: unix.ENOSPC})
	e := New(err, DiskFull)
	want := &Error{Msg: err.Error(), Errno: int(unix.ENOSPC), Cause: DiskFull}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("New = %+v, want %+v", e, want)
	}
	if e := New(errors.New("plain"), ""); e.Errno != 0 || e.Cause != "" || e.Msg != "plain" {
		t.Errorf("New of a plain error = %+v", e)
	}
}

func TestRoundTrip(t *testing.T) {
	sent := New(fmt.Errorf("dialing: %w", unix.ECONNREFUSED), RegistryUnreachable)
	b, err := json.Marshal(sent)
	if err != nil {
		t.Fatal(err)
	}
	var got *Error
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Error() != sent.Error() {
		t.Errorf("message %q, want %q", got, sent)
	}
	if !errors.Is(got, unix.ECONNREFUSED) || !errors.Is(got, RegistryUnreachable) {
		t.Errorf("%v: errors.Is misses its errno or cause", got)
	}
	if errors.Is(got, DiskFull) || errors.Is(got, unix.ENOSPC) {
		t.Errorf("%v is what it is not", got)
	}
	var c Cause
	if !errors.As(got, &c) || c != RegistryUnreachable {
		t.Errorf("errors.As(Cause) = %q", c)
	}
}

func TestAlso(t *testing.T) {
	mine := errors.New("the receiver's own")
	e := New(errors.New("x"), NotFound)
	a := e.Also(mine)
	if !errors.Is(a, mine) || !errors.Is(a, NotFound) || a.Error() != "x" {
		t.Errorf("Also: %v misses what it was given", a)
	}
	if errors.Is(e, mine) {
		t.Error("Also changed the original")
	}
	if b := a.Also(DiskFull); !errors.Is(b, mine) || !errors.Is(b, DiskFull) || errors.Is(a, DiskFull) {
		t.Error("a second Also lost the first's values or changed its receiver")
	}
	if len((&Error{Msg: "bare"}).Unwrap()) != 0 {
		t.Error("an Error without errno or cause unwraps to something")
	}
}

func TestCausesDistinct(t *testing.T) {
	seen := map[Cause]bool{}
	for _, c := range []Cause{NotFound, DiskFull, IDsUnmapped, DigestMismatch, ManifestUnknown, Auth, TLS, RegistryUnreachable} {
		if c == "" || seen[c] {
			t.Errorf("cause %q is empty or not distinct", c)
		}
		seen[c] = true
	}
}

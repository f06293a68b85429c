package netns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAsk runs programs through a holder's socket in a directory whose
// path is longer than a sun_path holds.
func TestAsk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 100))
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	l, err := listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			serve(c)
		}
	}()
	env := []string{"PATH=/nonexistent:/usr/bin:/bin"}
	res, err := ask(dir, request{Args: []string{"sh", "-c", "cat; echo $X"}, Env: append(env, "X=x"), Stdin: []byte("in ")})
	if err != nil || string(res.Stdout) != "in x\n" || res.Code != 0 {
		t.Errorf("ask = %+v, %v; want in x, code 0", res, err)
	}
	res, err = ask(dir, request{Args: []string{"sh", "-c", "echo oops >&2; exit 3"}, Env: env})
	if err == nil || res.Code != 3 || string(res.Stderr) != "oops\n" {
		t.Errorf("a failing program: %+v, %v; want code 3, its stderr and an error", res, err)
	}
	if _, err := ask(dir, request{Args: []string{"true"}, Env: env, Bind: filepath.Join(dir, "nothere"), BindFrom: "/nothere"}); err == nil {
		t.Error("a bind that cannot be made runs nothing and fails")
	}
	if _, err := ask(t.TempDir(), request{Args: []string{"true"}}); err == nil || !strings.Contains(err.Error(), "hint:") {
		t.Errorf("no holder: %v; want an error with a hint", err)
	}
}

func TestProgram(t *testing.T) {
	env := []string{"A=1", "PATH=/nonexistent:/bin"}
	if got := program("sh", env); got != "/bin/sh" {
		t.Errorf("program(sh) = %q, want /bin/sh", got)
	}
	if got := program("/x/y", env); got != "/x/y" {
		t.Errorf("a path is kept: %q", got)
	}
	if got := program("nosuch", env); got != "nosuch" {
		t.Errorf("a program not found is its name: %q", got)
	}
}

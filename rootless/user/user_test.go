package user

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

func TestParsePasswd(t *testing.T) {
	in := strings.Join([]string{
		"# comment",
		"",
		"root:x:0:0:root:/root:/bin/sh",
		"  alice:x:1000:1000:Alice A:/home/alice:/bin/bash  ",
		"short:x:1:1:/home/short",    // 5 fields: skipped
		"baduid:x:abc:1::/h:/bin/sh", // skipped
		"badgid:x:1:-1::/h:/bin/sh",  // skipped
		"big:x:4294967296:0::/h:/sh", // over 32 bits: skipped
		"nohome:x:7:8:::/bin/false",
		"colons:x:9:9:a:/h:/bin/sh:extra", // the 7th field takes the rest
	}, "\n")
	want := []user.User{
		{Name: "root", Pass: "x", Uid: 0, Gid: 0, Gecos: "root", Home: "/root", Shell: "/bin/sh"},
		{Name: "alice", Pass: "x", Uid: 1000, Gid: 1000, Gecos: "Alice A", Home: "/home/alice", Shell: "/bin/bash"},
		{Name: "nohome", Pass: "x", Uid: 7, Gid: 8, Home: "", Shell: "/bin/false"},
		{Name: "colons", Pass: "x", Uid: 9, Gid: 9, Gecos: "a", Home: "/h", Shell: "/bin/sh"},
	}
	if got := parsePasswd(strings.NewReader(in)); !reflect.DeepEqual(got, want) {
		t.Errorf("parsePasswd =\n%+v\nwant\n%+v", got, want)
	}
	if got := parsePasswd(strings.NewReader("")); got != nil {
		t.Errorf("parsePasswd(empty) = %+v, want nil", got)
	}
}

func TestParseGroup(t *testing.T) {
	in := strings.Join([]string{
		"#wheel:x:10:alice",
		"root:x:0:",
		"wheel:x:10:alice,bob",
		"",
		"audio:x:29:bob",
		"short:x:5",        // 3 fields: skipped
		"bad:x:five:alice", // skipped
		"neg:x:-3:alice",   // skipped
	}, "\n")
	want := []user.Group{
		{Name: "root", Pass: "x", Gid: 0, List: []string{}},
		{Name: "wheel", Pass: "x", Gid: 10, List: []string{"alice", "bob"}},
		{Name: "audio", Pass: "x", Gid: 29, List: []string{"bob"}},
	}
	if got := parseGroup(strings.NewReader(in)); !reflect.DeepEqual(got, want) {
		t.Errorf("parseGroup =\n%+v\nwant\n%+v", got, want)
	}
}

// writeRootfs makes a root filesystem with the given files (path relative
// to the root → content) and returns its path.
func writeRootfs(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const (
	testPasswd = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:Alice:/home/alice:/bin/sh
bob:x:1001:100::/home/bob:/bin/sh
`
	testGroup = `root:x:0:
daemon:x:1:
tty:x:5:
wheel:x:10:alice,root
users:x:100:alice
alice:x:1000:alice
audio:x:29:bob,alice
`
)

func TestResolveUser(t *testing.T) {
	rootfs := writeRootfs(t, map[string]string{"etc/passwd": testPasswd, "etc/group": testGroup})
	empty := t.TempDir()
	// A comment and a malformed line above root must not pass for uid 0.
	commented := writeRootfs(t, map[string]string{"etc/passwd": "# users\nbad:x:abc:0::/bad:/bin/sh\n" + testPasswd})

	tests := []struct {
		name     string
		rootfs   string
		value    string
		want     spec.User
		wantHome string
		wantErr  string
	}{
		{name: "default is root", value: "", want: spec.User{UID: 0, GID: 0, AdditionalGIDs: []uint32{10}}, wantHome: "/root"},
		{name: "root by name", value: "root", want: spec.User{UID: 0, GID: 0, AdditionalGIDs: []uint32{10}}, wantHome: "/root"},
		{name: "name", value: "alice", want: spec.User{UID: 1000, GID: 1000, AdditionalGIDs: []uint32{10, 100, 29}}, wantHome: "/home/alice"},
		{name: "uid in passwd", value: "1000", want: spec.User{UID: 1000, GID: 1000, AdditionalGIDs: []uint32{10, 100, 29}}, wantHome: "/home/alice"},
		{name: "primary group not repeated", value: "bob", want: spec.User{UID: 1001, GID: 100, AdditionalGIDs: []uint32{29}}, wantHome: "/home/bob"},
		{name: "user without groups", value: "daemon", want: spec.User{UID: 1, GID: 1}, wantHome: "/usr/sbin"},
		{name: "uid:gid", value: "1000:5", want: spec.User{UID: 1000, GID: 5}, wantHome: "/home/alice"},
		{name: "uid:gid not in files", value: "4242:4343", want: spec.User{UID: 4242, GID: 4343}, wantHome: "/"},
		{name: "name:groupname", value: "alice:audio", want: spec.User{UID: 1000, GID: 29}, wantHome: "/home/alice"},
		{name: "name:gid", value: "alice:77", want: spec.User{UID: 1000, GID: 77}, wantHome: "/home/alice"},
		{name: "uid:groupname", value: "55:tty", want: spec.User{UID: 55, GID: 5}, wantHome: "/"},
		{name: "empty user with group is root", value: ":tty", want: spec.User{UID: 0, GID: 5}, wantHome: "/root"},
		{name: "numeric uid not in passwd", value: "4242", want: spec.User{UID: 4242, GID: 0}, wantHome: "/"},
		{name: "root without passwd gets /root", rootfs: empty, value: "", want: spec.User{}, wantHome: "/root"},
		{name: "uid 0 without passwd gets /root", rootfs: empty, value: "0", want: spec.User{}, wantHome: "/root"},
		{name: "numeric uid without passwd", rootfs: empty, value: "1000:1000", want: spec.User{UID: 1000, GID: 1000}, wantHome: "/"},
		{name: "comment above root", rootfs: commented, value: "", want: spec.User{}, wantHome: "/root"},
		{name: "uid above 2^31", value: "3000000000:3000000001", want: spec.User{UID: 3000000000, GID: 3000000001}, wantHome: "/"},

		{name: "unknown user", value: "mallory", wantErr: `no user "mallory"`},
		{name: "name without passwd", rootfs: empty, value: "alice", wantErr: `no user "alice"`},
		{name: "unknown group", value: "alice:nogroup", wantErr: `no group "nogroup"`},
		{name: "unknown group for uid", value: "1000:nogroup", wantErr: `no group "nogroup"`},
		{name: "empty group", value: "alice:", wantErr: "empty group"},
		{name: "negative uid is a name", value: "-1", wantErr: `no user "-1"`},
		{name: "uid over 32 bits is a name", value: "4294967296", wantErr: `no user "4294967296"`},
		{name: "malformed line is no user", rootfs: commented, value: "bad", wantErr: `no user "bad"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tt.rootfs
			if root == "" {
				root = rootfs
			}
			got, home, err := Resolve([]string{root}, tt.value)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve(%q) = %+v, %q, %v; want error containing %q", tt.value, got, home, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), strconv.Quote(tt.value)) {
					t.Errorf("error %q does not name the user %q", err, tt.value)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.value, err)
			}
			if !reflect.DeepEqual(got, tt.want) || home != tt.wantHome {
				t.Errorf("Resolve(%q) = %+v, %q; want %+v, %q", tt.value, got, home, tt.want, tt.wantHome)
			}
		})
	}
}

// TestResolveUserSymlinks checks that /etc/passwd and /etc/group are read
// with their symlinks resolved inside the root filesystem, never on the
// host.
func TestResolveUserSymlinks(t *testing.T) {
	// A file outside the root filesystem that a link could reach on the host.
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "passwd"), []byte("evil:x:666:666::/evil:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "group"), []byte("evilgroup:x:667:evil\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	rootfs := writeRootfs(t, map[string]string{
		// Present only inside the root filesystem.
		"data/passwd":              "alice:x:1000:1000::/home/alice:/bin/sh\n",
		"data/group":               "wheel:x:10:alice\n",
		outside[1:] + "/README.md": "the same path as the host directory, inside the rootfs\n",
	})
	link := func(target, name string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(rootfs, "etc"), 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(rootfs, "etc", name)
		os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}

	// Absolute links: /data/... exists only under the root filesystem.
	link("/data/passwd", "passwd")
	link("/data/group", "group")
	got, home, err := Resolve([]string{rootfs}, "alice")
	if err != nil {
		t.Fatalf("absolute links: %v", err)
	}
	if want := (spec.User{UID: 1000, GID: 1000, AdditionalGIDs: []uint32{10}}); !reflect.DeepEqual(got, want) || home != "/home/alice" {
		t.Errorf("absolute links: got %+v, %q; want %+v, /home/alice", got, home, want)
	}
	// Relative links that climb above the root stop at the root.
	link("../../../../../../../../data/passwd", "passwd")
	if _, _, err := Resolve([]string{rootfs}, "alice"); err != nil {
		t.Errorf("relative link above the root: %v", err)
	}

	// Links at host files: the same path inside the root filesystem does
	// not have them, so the host's users must not be seen.
	for _, target := range []string{
		filepath.Join(outside, "passwd"),
		"../../../../../../../.." + filepath.Join(outside, "passwd"),
	} {
		link(target, "passwd")
		link(filepath.Join(outside, "group"), "group")
		if u, _, err := Resolve([]string{rootfs}, "evil"); err == nil {
			t.Errorf("link to %s: resolved the host's user: %+v", target, u)
		}
		// A numeric uid still works and gets no entry from the host file.
		u, home, err := Resolve([]string{rootfs}, "666")
		if err != nil || !reflect.DeepEqual(u, spec.User{UID: 666}) || home != "/" {
			t.Errorf("link to %s: Resolve(666) = %+v, %q, %v; want uid 666 gid 0 home /", target, u, home, err)
		}
		if _, _, err := Resolve([]string{rootfs}, "0:evilgroup"); err == nil {
			t.Errorf("link to %s: resolved the host's group", target)
		}
	}
}

// TestResolveUserNotRegular checks that a FIFO, a directory or a socket at
// /etc/passwd or /etc/group is refused, at once: a FIFO was opened for
// reading and blocked rl exec -u for ever.
func TestResolveUserNotRegular(t *testing.T) {
	tests := []struct {
		name, file, wantErr string
		make                func(path string) error
	}{
		{name: "fifo passwd", file: "passwd", wantErr: "reading the container's /etc/passwd: not a regular file (a FIFO)",
			make: func(p string) error { return unix.Mkfifo(p, 0o644) }},
		{name: "fifo group", file: "group", wantErr: "reading the container's /etc/group: not a regular file (a FIFO)",
			make: func(p string) error { return unix.Mkfifo(p, 0o644) }},
		{name: "directory", file: "passwd", wantErr: "not a regular file (a directory)",
			make: func(p string) error { return os.Mkdir(p, 0o755) }},
		{name: "socket", file: "group", wantErr: "not a regular file (a socket)",
			make: func(p string) error {
				fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
				if err != nil {
					return err
				}
				defer unix.Close(fd)
				return unix.Bind(fd, &unix.SockaddrUnix{Name: p})
			}},
		{name: "symlink to a fifo", file: "passwd", wantErr: "not a regular file (a FIFO)",
			make: func(p string) error {
				if err := unix.Mkfifo(filepath.Join(filepath.Dir(p), "fifo"), 0o644); err != nil {
					return err
				}
				return os.Symlink("/etc/fifo", p)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rootfs := writeRootfs(t, map[string]string{"etc/passwd": testPasswd, "etc/group": testGroup})
			p := filepath.Join(rootfs, "etc", tt.file)
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := tt.make(p); err != nil {
				t.Fatal(err)
			}
			// Every value reads both files, a numeric one too.
			for _, value := range []string{"alice", "1000"} {
				_, _, err := Resolve([]string{rootfs}, value)
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Resolve(%q) = %v, want error containing %q", value, err, tt.wantErr)
				}
			}
		})
	}
}

// TestResolveUserLayers checks the layer order: the top-most layer that
// has the file wins, a layer without it is skipped, and a whiteout (a 0/0
// character device) deletes the file of the layers below.
func TestResolveUserLayers(t *testing.T) {
	top := t.TempDir()
	upper := writeRootfs(t, map[string]string{"etc/passwd": "alice:x:2000:2000::/new:/bin/sh\n"})
	lower := writeRootfs(t, map[string]string{"etc/passwd": testPasswd, "etc/group": testGroup})
	u, home, err := Resolve([]string{top, upper, lower}, "alice")
	if err != nil || u.UID != 2000 || home != "/new" {
		t.Fatalf("Resolve(alice) over three layers = %+v, %q, %v; want uid 2000 from the upper layer", u, home, err)
	}
	if err := unix.Mknod(filepath.Join(upper, "etc", "group"), unix.S_IFCHR|0o644, 0); err != nil {
		t.Skipf("cannot make a whiteout (a 0/0 character device) without CAP_MKNOD: %v", err)
	}
	u, _, err = Resolve([]string{top, upper, lower}, "alice")
	if err != nil || u.AdditionalGIDs != nil {
		t.Errorf("Resolve(alice) with /etc/group whited out = %+v, %v; want no supplementary groups from below", u, err)
	}
}

// TestResolveUserSwappedLink swaps /etc/passwd between a regular file of
// the root filesystem and an absolute symlink to a host file while Resolve
// runs, as a process in a running container can (rl exec -u reads
// /proc/PID/root). No resolution may see the host's user, whatever the
// interleaving: the open resolves the link inside the root. (Resolving
// the path first, then opening it, let a link swapped in between lead to
// the host's file.)
func TestResolveUserSwappedLink(t *testing.T) {
	outside := t.TempDir()
	hostPasswd := filepath.Join(outside, "passwd")
	if err := os.WriteFile(hostPasswd, []byte("evil:x:666:666::/evil:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rootfs := writeRootfs(t, map[string]string{"etc/passwd": "evil:x:1:1::/inside:/bin/sh\n"})
	etc := filepath.Join(rootfs, "etc")
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		file, link := filepath.Join(etc, "file"), filepath.Join(etc, "link")
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			// rename(2) replaces /etc/passwd in one step: it is always a
			// regular file or the link.
			if i%2 == 0 {
				_ = os.WriteFile(file, []byte("evil:x:1:1::/inside:/bin/sh\n"), 0o644)
				_ = os.Rename(file, filepath.Join(etc, "passwd"))
			} else {
				_ = os.Symlink(hostPasswd, link)
				_ = os.Rename(link, filepath.Join(etc, "passwd"))
			}
		}
	}()
	for range 20000 {
		u, home, err := Resolve([]string{rootfs}, "evil")
		if err == nil && (u.UID == 666 || home == "/evil") {
			close(stop)
			<-done
			t.Fatalf("resolved the host's user through a swapped link: %+v, %q", u, home)
		}
	}
	close(stop)
	<-done
}

// TestFromImage checks that an error about the image's User names it as
// the image's, and that one about --user stays as it was.
func TestFromImage(t *testing.T) {
	rootfs := writeRootfs(t, map[string]string{"etc/passwd": testPasswd, "etc/group": testGroup})
	_, _, err := Resolve([]string{rootfs}, "app")
	if err == nil {
		t.Fatal("Resolve(app) succeeded")
	}
	tests := []struct {
		name      string
		err       error
		fromImage bool
		want      string
	}{
		{name: "--user", err: err, want: `resolving user "app": no user "app" in the container's /etc/passwd; use a numeric uid or a user the image has`},
		{name: "image", err: err, fromImage: true, want: `the image's User "app" does not resolve: no user "app" in the container's /etc/passwd; use a numeric uid or a user the image has (run with --user to choose another)`},
		{name: "wrapped", err: fmt.Errorf("creating: %w", err), fromImage: true, want: `the image's User "app" does not resolve: no user "app" in the container's /etc/passwd; use a numeric uid or a user the image has (run with --user to choose another)`},
		{name: "other error", err: errors.New("other"), fromImage: true, want: "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FromImage(tt.err, tt.fromImage).Error(); got != tt.want {
				t.Errorf("FromImage = %q, want %q", got, tt.want)
			}
		})
	}
	_ = FromImage(err, true)
	if err.Error() != tests[0].want {
		t.Errorf("FromImage changed its argument: %q", err)
	}
}

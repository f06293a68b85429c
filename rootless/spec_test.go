package rootless

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/userns"
)

const testID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

var testSubIDs = []userns.Range{{Start: 100000, Count: 65536}}

func testContainer() *store.Container {
	return &store.Container{Store: store.Store{Root: "/r", RunRoot: "/rr", MountProgram: "/fuse"}, State: store.State{ID: testID}}
}

// envValue returns the value of key in env and whether it is there; it
// fails the test when key is there more than once.
func envValue(t *testing.T, env []string, key string) (string, bool) {
	t.Helper()
	value, found := "", false
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if k == key {
			if found {
				t.Errorf("%s is in the environment twice: %q", key, env)
			}
			value, found = v, true
		}
	}
	return value, found
}

func TestSpecBasics(t *testing.T) {
	maps := userns.Compute(userns.ModeDefault, 1000, 1000, testSubIDs, testSubIDs)
	user := spec.User{UID: 1000, GID: 1000, AdditionalGIDs: []uint32{10}}
	mounts := []spec.Mount{{Kind: spec.Bind, Source: "/h", Destination: "/d"}}
	opts := config.Container{Net: config.Net{Mode: network.Mode{Name: network.None}}, Init: true, PreserveFDs: 2, Mounts: mounts}
	args := []string{"sh", "-c", "x"}
	s := specOf(testContainer(), opts, &spec.Image{Layers: []string{"/lower"}}, args, user, "/home/alice", maps)

	want := &spec.Spec{
		ID:       testID,
		Hostname: testID[:12],
		Args:     args,
		Env: []string{
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"HOSTNAME=" + testID[:12], "HOME=/home/alice", "container=rl",
		},
		Cwd:     "/",
		User:    user,
		Init:    true,
		Network: "none",
		Rootfs: spec.Rootfs{
			Lower:      []string{"/lower"},
			Upper:      "/r/containers/" + testID + "/upper",
			Work:       "/r/containers/" + testID + "/work",
			Mountpoint: "/rr/containers/" + testID + "/rootfs", UserXattr: true,
			FuseOverlay: "/fuse", FuseOnly: true,
		},
		Mounts:      mounts,
		PreserveFDs: 2,
		TTYGroup:    5,
		// podman's defaults: 0x800405fb.
		Capabilities: []uint{0, 1, 3, 4, 5, 6, 7, 8, 10, 18, 31},
		// podman's default limits, clamped by rl-init; the options' umask.
		Process: spec.Process{Rlimits: config.DefaultUlimits(nil), Umask: new(uint32)},
	}
	want.MaskedPaths, want.ReadonlyPaths = pathRules(config.Security{}, filepath.Glob)
	if !reflect.DeepEqual(s, want) {
		t.Errorf("spec =\n%+v\nwant\n%+v", s, want)
	}
	// The spec owns its mounts: appending the read-only tmpfs mounts must
	// not write into the caller's slice.
	opts.Mounts = make([]spec.Mount, 1, 10)
	opts.Mounts[0] = mounts[0]
	opts.ReadOnly, opts.ReadOnlyTmpfs = true, true
	specOf(testContainer(), opts, &spec.Image{Layers: []string{"/lower"}}, args, user, "/", maps)
	if extra := opts.Mounts[:cap(opts.Mounts)][1]; extra != (spec.Mount{}) {
		t.Errorf("spec wrote %+v into the caller's mounts", extra)
	}
}

func TestSpecHostnameEnvCwd(t *testing.T) {
	maps := userns.Compute(userns.ModeDefault, 1000, 1000, testSubIDs, testSubIDs)
	tests := []struct {
		name         string
		opts         config.Container
		home         string
		wantHostname string
		wantCwd      string
		wantEnv      map[string]string // "" value with key "!K" means K must be absent
	}{
		{
			name: "defaults", home: "/root", wantHostname: testID[:12], wantCwd: "/",
			wantEnv: map[string]string{"HOSTNAME": testID[:12], "HOME": "/root", "container": "rl", "!TERM": ""},
		},
		{
			name: "--hostname wins", opts: config.Container{Hostname: "box"}, home: "/", wantHostname: "box", wantCwd: "/",
			wantEnv: map[string]string{"HOSTNAME": "box", "HOME": "/"},
		},
		{
			name: "TERM only with a tty", opts: config.Container{TTY: true}, home: "/", wantHostname: testID[:12], wantCwd: "/",
			wantEnv: map[string]string{"TERM": "xterm"},
		},
		{
			name: "-i alone has no TERM", opts: config.Container{Interactive: true}, home: "/", wantHostname: testID[:12], wantCwd: "/",
			wantEnv: map[string]string{"!TERM": ""},
		},
		{
			name: "-e overrides", home: "/root", wantHostname: "box", wantCwd: "/w",
			opts: config.Container{
				Hostname: "box", Workdir: "/w", TTY: true,
				Env: []string{"TERM=screen", "HOME=/elsewhere", "PATH=/bin", "HOSTNAME=other", "container=mine", "NEW=1"},
			},
			wantEnv: map[string]string{"TERM": "screen", "HOME": "/elsewhere", "PATH": "/bin", "HOSTNAME": "other", "container": "mine", "NEW": "1"},
		},
		{
			name: "-e TERM without a tty", opts: config.Container{Env: []string{"TERM=dumb"}}, home: "/", wantHostname: testID[:12], wantCwd: "/",
			wantEnv: map[string]string{"TERM": "dumb"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := specOf(testContainer(), tt.opts, &spec.Image{Layers: []string{"/lower"}}, []string{"sh"}, spec.User{}, tt.home, maps)
			if s.Hostname != tt.wantHostname {
				t.Errorf("Hostname = %q, want %q", s.Hostname, tt.wantHostname)
			}
			if s.Cwd != tt.wantCwd {
				t.Errorf("Cwd = %q, want %q", s.Cwd, tt.wantCwd)
			}
			if s.Terminal != tt.opts.TTY {
				t.Errorf("Terminal = %v, want %v", s.Terminal, tt.opts.TTY)
			}
			if !strings.HasPrefix(s.Env[0], "PATH=") {
				t.Errorf("PATH is not first: %q", s.Env)
			}
			for k, want := range tt.wantEnv {
				if absent, ok := strings.CutPrefix(k, "!"); ok {
					if v, found := envValue(t, s.Env, absent); found {
						t.Errorf("%s=%s is set, want it absent", absent, v)
					}
					continue
				}
				if v, found := envValue(t, s.Env, k); !found || v != want {
					t.Errorf("%s = %q (set %v), want %q; env %q", k, v, found, want, s.Env)
				}
			}
			if _, found := envValue(t, s.Env, "PATH"); !found {
				t.Errorf("no PATH in %q", s.Env)
			}
		})
	}
}

func TestSpecReadOnlyTmpfs(t *testing.T) {
	maps := userns.Compute(userns.ModeDefault, 1000, 1000, testSubIDs, testSubIDs)
	user := spec.Mount{Kind: spec.Tmpfs, Destination: "/cache", Flags: unix.MS_NOEXEC}
	auto := func(d string) spec.Mount {
		return spec.Mount{Kind: spec.Tmpfs, Destination: d, Flags: unix.MS_NOSUID | unix.MS_NODEV}
	}
	tests := []struct {
		name string
		opts config.Container
		want []spec.Mount
	}{
		{name: "neither", opts: config.Container{Mounts: []spec.Mount{user}}, want: []spec.Mount{user}},
		{name: "read-only-tmpfs without read-only", opts: config.Container{ReadOnlyTmpfs: true, Mounts: []spec.Mount{user}}, want: []spec.Mount{user}},
		{name: "read-only without tmpfs", opts: config.Container{ReadOnly: true, Mounts: []spec.Mount{user}}, want: []spec.Mount{user}},
		{
			name: "read-only with tmpfs", opts: config.Container{ReadOnly: true, ReadOnlyTmpfs: true, Mounts: []spec.Mount{user}},
			want: []spec.Mount{user, auto("/tmp"), auto("/var/tmp"), auto("/run")},
		},
		{name: "read-only with tmpfs, no user mounts", opts: config.Container{ReadOnly: true, ReadOnlyTmpfs: true},
			want: []spec.Mount{auto("/tmp"), auto("/var/tmp"), auto("/run")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := specOf(testContainer(), tt.opts, &spec.Image{Layers: []string{"/lower"}}, []string{"sh"}, spec.User{}, "/", maps)
			if !reflect.DeepEqual(s.Mounts, tt.want) && (len(s.Mounts) != 0 || len(tt.want) != 0) {
				t.Errorf("Mounts = %+v, want %+v", s.Mounts, tt.want)
			}
			if s.ReadOnly != tt.opts.ReadOnly {
				t.Errorf("ReadOnly = %v, want %v", s.ReadOnly, tt.opts.ReadOnly)
			}
		})
	}
}

func TestSpecMappings(t *testing.T) {
	tests := []struct {
		name            string
		maps            userns.Mappings
		wantTTY         int
		wantNested      bool
		wantNoSetgroups bool
	}{
		{name: "subordinate ids", maps: userns.Compute(userns.ModeDefault, 1000, 1000, testSubIDs, testSubIDs), wantTTY: 5},
		{name: "too few gids for 5", maps: userns.Compute(userns.ModeDefault, 1000, 1000, testSubIDs, []userns.Range{{Start: 100000, Count: 4}}), wantTTY: -1},
		{name: "just enough gids for 5", maps: userns.Compute(userns.ModeDefault, 1000, 1000, testSubIDs, []userns.Range{{Start: 100000, Count: 5}}), wantTTY: 5},
		{name: "single id", maps: userns.Compute(userns.ModeDefault, 1000, 1000, nil, nil), wantTTY: -1, wantNoSetgroups: true},
		{name: "keep-id", maps: userns.Compute(userns.ModeKeepID, 1000, 1000, testSubIDs, testSubIDs), wantTTY: 5, wantNested: true},
		{name: "keep-id, single id", maps: userns.Compute(userns.ModeKeepID, 1000, 1000, nil, nil), wantTTY: -1, wantNested: true, wantNoSetgroups: true},
		// The caller's own gid 5 is visible as itself inside with keep-id.
		{name: "keep-id, single id, caller in gid 5", maps: userns.Compute(userns.ModeKeepID, 1000, 5, nil, nil), wantTTY: 5, wantNested: true, wantNoSetgroups: true},
		// The outer map has gids 0-5, too few to place the caller's gid
		// 1000, so the inner map has gid 1000 alone: no gid 5 inside.
		{name: "keep-id looks at the inner map", maps: userns.Compute(userns.ModeKeepID, 1000, 1000, testSubIDs, []userns.Range{{Start: 100000, Count: 5}}), wantTTY: -1, wantNested: true},
		{name: "real root", maps: userns.Compute(userns.ModeDefault, 0, 0, nil, nil), wantTTY: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := specOf(testContainer(), config.Container{}, &spec.Image{Layers: []string{"/lower"}}, []string{"sh"}, spec.User{}, "/", tt.maps)
			if s.TTYGroup != tt.wantTTY {
				t.Errorf("TTYGroup = %d, want %d (maps %+v)", s.TTYGroup, tt.wantTTY, tt.maps)
			}
			if (s.Nested != nil) != tt.wantNested {
				t.Errorf("Nested = %+v, want set %v", s.Nested, tt.wantNested)
			}
			if tt.wantNested && !reflect.DeepEqual(s.Nested, tt.maps.Inner) {
				t.Errorf("Nested = %+v, want the inner map %+v", s.Nested, tt.maps.Inner)
			}
			if s.NoSetgroups != tt.wantNoSetgroups {
				t.Errorf("NoSetgroups = %v, want %v", s.NoSetgroups, tt.wantNoSetgroups)
			}
		})
	}
}

func TestCheckMapped(t *testing.T) {
	full := userns.Compute(userns.ModeDefault, 1000, 1000, testSubIDs, testSubIDs).Outer // 0-65536
	narrowGIDs := userns.Compute(userns.ModeDefault, 1000, 1000, testSubIDs, []userns.Range{{Start: 100000, Count: 100}}).Outer
	single := userns.Compute(userns.ModeDefault, 1000, 1000, nil, nil).Outer // 0 only
	keepID := *userns.Compute(userns.ModeKeepID, 1000, 1000, nil, nil).Inner // 1000 only

	tests := []struct {
		name    string
		user    spec.User
		level   userns.Level
		wantErr []string
	}{
		{name: "root", user: spec.User{}, level: full},
		{name: "top of the range", user: spec.User{UID: 65536, GID: 65536, AdditionalGIDs: []uint32{65536}}, level: full},
		{name: "uid outside", user: spec.User{UID: 65537}, level: full, wantErr: []string{"uid 65537", "0-65536"}},
		{name: "gid outside", user: spec.User{UID: 1, GID: 101}, level: narrowGIDs, wantErr: []string{"gid 101", "0-100"}},
		{name: "supplementary gid outside", user: spec.User{UID: 1, GID: 1, AdditionalGIDs: []uint32{10, 200}}, level: narrowGIDs, wantErr: []string{"gid 200"}},
		{name: "uid checked before gid", user: spec.User{UID: 70000, GID: 70000}, level: full, wantErr: []string{"uid 70000"}},
		{name: "single: root only", user: spec.User{}, level: single},
		{name: "single: uid 1", user: spec.User{UID: 1}, level: single, wantErr: []string{"uid 1 ", "(0-0)"}},
		{name: "keep-id single: the caller", user: spec.User{UID: 1000, GID: 1000}, level: keepID},
		{name: "keep-id single: root", user: spec.User{}, level: keepID, wantErr: []string{"uid 0", "1000-1000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkMapped(tt.user, tt.level)
			if tt.wantErr == nil {
				if err != nil {
					t.Errorf("checkMapped(%+v) = %v, want nil", tt.user, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("checkMapped(%+v) = nil, want an error", tt.user)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("checkMapped error %q does not contain %q", err, s)
				}
			}
		})
	}
	// The user's own slice is not changed by the check.
	u := spec.User{GID: 1, AdditionalGIDs: make([]uint32, 1, 4)}
	_ = checkMapped(u, full)
	if got := u.AdditionalGIDs[:2]; !slices.Equal(got, []uint32{0, 0}) {
		t.Errorf("checkMapped wrote into AdditionalGIDs: %v", got)
	}
}

func TestMappedGroups(t *testing.T) {
	full := userns.Compute(userns.ModeDefault, 1000, 1000, []userns.Range{{Start: 100000, Count: 65536}}, []userns.Range{{Start: 100000, Count: 65536}})
	if got := mappedGroups([]uint32{10, 70000}, full.Outer, false); !reflect.DeepEqual(got, []uint32{10}) {
		t.Errorf("full map: got %v, want [10]", got)
	}
	single := userns.Compute(userns.ModeDefault, 1000, 1000, nil, nil)
	if got := mappedGroups([]uint32{0, 1, 10}, single.Outer, true); len(got) != 0 {
		t.Errorf("one-id map: got %v, want none", got)
	}
}

func TestReadOnlyTmpfsYieldsToUserMounts(t *testing.T) {
	c := &store.Container{Store: store.Store{Root: "/r", RunRoot: "/rr"}, State: store.State{ID: strings.Repeat("a", 64)}}
	maps := userns.Compute(userns.ModeDefault, 0, 0, nil, nil)
	opts := config.Container{ReadOnly: true, ReadOnlyTmpfs: true, Mounts: []spec.Mount{{Kind: spec.Bind, Source: "/h", Destination: "/tmp"}}}
	s := specOf(c, opts, &spec.Image{Layers: []string{"/rootfs"}}, []string{"sh"}, spec.User{}, "/root", maps)
	var tmp []string
	for _, m := range s.Mounts {
		if m.Destination == "/tmp" {
			tmp = append(tmp, m.Kind)
		}
	}
	if !reflect.DeepEqual(tmp, []string{spec.Bind}) {
		t.Errorf("mounts on /tmp: %v, want only the user's bind", tmp)
	}
}

// specOf is containerSpec with the capabilities that create gives it.
func specOf(c *store.Container, opts config.Container, img *spec.Image, args []string, user spec.User, home string, maps userns.Mappings) *spec.Spec {
	return containerSpec(c, opts, img, args, user, home, maps, capabilitySet(opts.Security, config.AllCapabilities()))
}

// containers.conf's env is under the image's, and -e over both, as podman
// orders them.
func TestSpecDefaultEnvUnderImage(t *testing.T) {
	maps := userns.Compute(userns.ModeDefault, 1000, 1000, testSubIDs, testSubIDs)
	img := &spec.Image{Layers: []string{"/lower"}, Config: spec.ImageConfig{Env: []string{"A=image", "B=image"}}}
	opts := config.Container{DefaultEnv: []string{"A=conf", "B=conf", "C=conf"}, Env: []string{"B=flag"}}
	s := specOf(testContainer(), opts, img, []string{"sh"}, spec.User{}, "/", maps)
	for k, want := range map[string]string{"A": "image", "B": "flag", "C": "conf"} {
		if v, _ := envValue(t, s.Env, k); v != want {
			t.Errorf("%s = %q, want %q; env %q", k, v, want, s.Env)
		}
	}
}

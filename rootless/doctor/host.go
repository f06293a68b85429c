package doctor

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/userns"
)

// EnvSysRoot names a directory whose files stand in for those of the
// same path below / that only root can change (/proc/sys/..., /dev/net/tun,
// /dev/fuse): rl's tests put fakes there. Private to the tests.
const EnvSysRoot = "_RL_DOCTOR_SYSROOT"

// Host is the machine and the user the checks look at, with the probes
// that several checks share, each run once.
type Host struct {
	ctx   context.Context
	Store store.Store
	// User is the caller's login name ("" when /etc/passwd has none:
	// then Who is the uid).
	User     string
	UID, GID int
	// Self is rl's own binary, beside which rl-init and rl-image live.
	Self    string
	sysRoot string

	// maps is what rl would map (userns.ForCaller), and mapsErr why it
	// cannot.
	maps    userns.Mappings
	mapsErr error

	nsProbe   func() nsProbe
	mapsProbe func() mapsProbe
	// images opens the image store through rl-image, once; nil skips.
	images func() error
}

// NewHost describes the calling user on this machine, with the store s;
// openImages, if not nil, opens its image store through rl-image.
func NewHost(ctx context.Context, s store.Store, openImages func(context.Context) error) *Host {
	h := &Host{ctx: ctx, Store: s, UID: os.Getuid(), GID: os.Getgid(), sysRoot: os.Getenv(EnvSysRoot)}
	if u, err := user.LookupId(strconv.Itoa(h.UID)); err == nil {
		h.User = u.Username
	}
	h.Self, _ = os.Executable()
	h.maps, _, h.mapsErr = userns.ForCaller(userns.ModeDefault, nil)
	h.nsProbe = sync.OnceValue(h.probeNamespaces)
	h.mapsProbe = sync.OnceValue(h.probeMaps)
	if openImages != nil {
		h.images = sync.OnceValue(func() error { return openImages(ctx) })
	}
	return h
}

// Who is the user's name for commands: the login name, else the uid.
func (h *Host) Who() string {
	if h.User != "" {
		return h.User
	}
	return strconv.Itoa(h.UID)
}

// root is true for real root, who needs no user namespace of its own.
func (h *Host) root() bool { return h.UID == 0 }

// sys is the path of a root-owned file: its fake below EnvSysRoot when
// there is one.
func (h *Host) sys(path string) string {
	if h.sysRoot != "" {
		if fake := filepath.Join(h.sysRoot, path); exists(fake) {
			return fake
		}
	}
	return path
}

// sysctl reads the sysctl name (dotted, as sysctl(8) takes it); ok is
// false when the kernel has no such sysctl.
func (h *Host) sysctl(name string) (value string, ok bool) {
	b, err := os.ReadFile(h.sys("/proc/sys/" + strings.ReplaceAll(name, ".", "/")))
	if err != nil {
		return "", false
	}
	return strings.Join(strings.Fields(string(b)), " "), true
}

// sysctlFix is the command that sets a sysctl now and after a reboot.
func sysctlFix(name, value string) string {
	file := "/etc/sysctl.d/99-rl.conf"
	return fmt.Sprintf("sysctl -w %s=%q && echo '%s = %s' >> %s", name, value, name, value, file)
}

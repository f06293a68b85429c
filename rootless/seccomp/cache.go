package seccomp

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/store"
)

// compilerVersion changes whenever Compile's output for the same input
// does: it is part of every cache key.
const compilerVersion = "rl-seccomp-4"

// Cache keeps compiled programs in Dir (the run root's seccomp
// directory), one file per profile, ABI, capability set, host kernel
// (its release and whether it runs x32 syscalls) and rl build, so that a container start reads a file instead of compiling.
type Cache struct{ Dir string }

// Filter returns p's program for a container with the capabilities caps
// (CAP_NAME), from the cache or compiled (and then cached). A failure to
// write the cache is only logged: the program is still good.
func (c Cache) Filter(p *Profile, caps []string) ([]byte, error) {
	path := filepath.Join(c.Dir, c.Key(p, caps)+".bpf")
	if prog, err := os.ReadFile(path); err == nil && CheckProgram(prog) == nil {
		return prog, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		slog.Debug("reading the cached seccomp filter", "path", path, "err", err)
	}
	sc, known, err := p.Resolve(caps)
	if err != nil {
		return nil, err
	}
	prog, err := Compile(sc, known)
	if err != nil {
		return nil, fmt.Errorf("seccomp profile %s: %w", p.Source, err)
	}
	if prog == nil {
		return nil, nil
	}
	if err := cacheWrite(path, prog); err != nil {
		slog.Warn("caching the compiled seccomp filter failed; the next start compiles it again", "err", err)
	}
	return prog, nil
}

// Key is the cache's name for p's program with caps.
func (c Cache) Key(p *Profile, caps []string) string {
	h := sha256.New()
	caps = slices.Clone(caps)
	slices.Sort(caps)
	fmt.Fprintf(h, "%s\n%s\n%s\n%s x32=%v\n%s\n%s\n", compilerVersion, build(), runtime.GOARCH, kernel(), x32Enabled(), strings.Join(caps, ","), p.Source)
	if p.Data == nil {
		fmt.Fprintf(h, "default %s\n", profileVersion())
	} else {
		h.Write(p.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// build identifies the rl build: its module version, VCS stamp and the
// executable's size and time (a rebuild of a dirty tree changes those).
func build() string {
	s := "unknown"
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			s = fmt.Sprintf("%d %d", fi.Size(), fi.ModTime().UnixNano())
		}
	}
	bi := buildInfo()
	if bi == nil {
		return s
	}
	s += " " + bi.Main.Version
	for _, kv := range bi.Settings {
		if strings.HasPrefix(kv.Key, "vcs.") {
			s += " " + kv.Key + "=" + kv.Value
		}
	}
	return s
}

// kernel is the host kernel's release: profiles have minKernel rules.
func kernel() string {
	var uts unix.Utsname
	if unix.Uname(&uts) != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(uts.Release[:])
}

// cacheWrite writes a program into the cache, whole or not at all, so that
// a concurrent start reads the old file or the new one.
func cacheWrite(path string, prog []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return store.WriteAtomic(path, prog)
}

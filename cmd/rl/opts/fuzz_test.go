package opts

// Fuzz targets for the flag values rl reads from its command line and from
// env files. Each checks properties of what parses (it re-formats and
// re-parses, or checks bounds the engine relies on), not only that nothing
// panics. `go test` runs the seeds in testdata/fuzz; `make fuzz` fuzzes.

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
)

// formatPublish renders one mapping as a -p value.
func formatPublish(m network.PortMapping) string {
	host := ""
	if m.HostPort != 0 {
		host = strconv.Itoa(m.HostPort)
	}
	ip := m.HostIP
	if strings.Contains(ip, ":") {
		ip = "[" + ip + "]"
	}
	if ip != "" {
		return fmt.Sprintf("%s:%s:%d/%s", ip, host, m.ContainerPort, m.Proto)
	}
	return fmt.Sprintf("%s:%d/%s", host, m.ContainerPort, m.Proto)
}

func FuzzParsePublish(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := ParsePublish(s)
		if err != nil {
			if ms != nil {
				t.Fatalf("ParsePublish(%q) returned %v with error %v", s, ms, err)
			}
			return
		}
		if len(ms) == 0 {
			t.Fatalf("ParsePublish(%q) returned no mapping and no error", s)
		}
		for i, m := range ms {
			if m.ContainerPort < 1 || m.ContainerPort > 65535 || m.HostPort < 0 || m.HostPort > 65535 {
				t.Fatalf("ParsePublish(%q)[%d] = %+v: port out of range", s, i, m)
			}
			if m.Proto != "tcp" && m.Proto != "udp" {
				t.Fatalf("ParsePublish(%q)[%d] = %+v: protocol", s, i, m)
			}
			if m.HostIP != "" {
				a, err := netip.ParseAddr(m.HostIP)
				if err != nil || a.String() != m.HostIP {
					t.Fatalf("ParsePublish(%q)[%d] = %+v: host address not canonical", s, i, m)
				}
			}
			// Consecutive ports: one range on each side.
			if i > 0 {
				p := ms[i-1]
				if m.ContainerPort != p.ContainerPort+1 || (m.HostPort != 0) != (p.HostPort != 0) ||
					(m.HostPort != 0 && m.HostPort != p.HostPort+1) || m.HostIP != p.HostIP || m.Proto != p.Proto {
					t.Fatalf("ParsePublish(%q): %+v does not follow %+v", s, m, p)
				}
			}
			// Each mapping, written as a -p value, parses back to itself.
			again, err := ParsePublish(formatPublish(m))
			if err != nil || len(again) != 1 || again[0] != m {
				t.Fatalf("ParsePublish(%q)[%d] = %+v; as %q it parses to %+v, %v", s, i, m, formatPublish(m), again, err)
			}
		}
	})
}

// FuzzResources fuzzes the size and CPU values of rl run (--memory,
// --memory-reservation, --memory-swap, --cpus).
func FuzzResources(f *testing.F) {
	f.Fuzz(func(t *testing.T, memory, reservation, swap, cpus string) {
		in := Resources{Memory: memory, MemoryReservation: reservation, MemorySwap: swap, CPUs: cpus}
		r, err := in.Parse()
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("%+v: error of more than one line: %q", in, err)
			}
			return
		}
		for _, v := range []struct {
			flag, value string
			got         int64
		}{{"--memory", memory, r.MemoryMax}, {"--memory-reservation", reservation, r.MemoryLow}} {
			if (v.value == "") != (v.got == 0) || v.got < 0 {
				t.Fatalf("%s %q = %d: want a positive size, or 0 for none", v.flag, v.value, v.got)
			}
			// The size in bytes parses back to itself, where a float64
			// (go-units' arithmetic) holds it exactly.
			if v.got > 0 && v.got <= 1<<53 {
				if n, err := size(v.flag, strconv.FormatInt(v.got, 10)); err != nil || n != v.got {
					t.Fatalf("%s %q = %d; as bytes it parses to %d, %v", v.flag, v.value, v.got, n, err)
				}
			}
		}
		if r.SwapSet != (swap != "") || r.MemorySwapMax < -1 || (r.MemorySwapMax == -1) != (swap == "-1") {
			t.Fatalf("--memory-swap %q: %+v", swap, r)
		}
		if cpus != "" {
			// The kernel takes a cpu.max quota from 1000 µs (and rl's own
			// --cpu-quota asks for as much); 0 or less would mean none.
			if r.CPUQuota < 1000 || r.CPUPeriod != 100000 {
				t.Fatalf("--cpus %q: quota %d period %d", cpus, r.CPUQuota, r.CPUPeriod)
			}
		} else if r.CPUQuota != 0 {
			t.Fatalf("no --cpus, quota %d", r.CPUQuota)
		}
	})
}

func FuzzParseSignal(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := ParseSignal(s)
		if err != nil {
			if sig != 0 {
				t.Fatalf("ParseSignal(%q) = %d with error %v", s, sig, err)
			}
			return
		}
		if sig < 1 || sig > 64 {
			t.Fatalf("ParseSignal(%q) = %d: not a signal of Linux", s, sig)
		}
		if again, err := ParseSignal(strconv.Itoa(int(sig))); err != nil || again != sig {
			t.Fatalf("ParseSignal(%q) = %d; its number parses to %d, %v", s, sig, again, err)
		}
		if name := unix.SignalName(sig); name != "" {
			if again, err := ParseSignal(name); err != nil || again != sig {
				t.Fatalf("ParseSignal(%q) = %d; its name %s parses to %d, %v", s, sig, name, again, err)
			}
		}
	})
}

// FuzzParseEnv fuzzes an env file (and one -e value); lookup knows the
// keys of even length.
func FuzzParseEnv(f *testing.F) {
	lookup := func(k string) (string, bool) { return "v" + k, len(k)%2 == 0 }
	// One directory per fuzzing process, whose inputs run one at a time.
	dir := f.TempDir()
	path, path2 := filepath.Join(dir, "env"), filepath.Join(dir, "env2")
	f.Fuzz(func(t *testing.T, file []byte, e string) {
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		var envs []string
		// A command-line argument cannot hold a NUL byte.
		if e != "" && !strings.Contains(e, "\x00") {
			envs = []string{e}
		}
		out, err := ParseEnv(envs, []string{path}, lookup)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		lines := strings.Count(string(file), "\n") + 1 + len(envs)
		if len(out) > lines {
			t.Fatalf("%d variables from %d lines", len(out), lines)
		}
		for _, kv := range out {
			key, _, ok := strings.Cut(kv, "=")
			// No whitespace or control character in a name (a newline
			// would forge a second variable for whatever reads the
			// environment line by line); execve(2) takes NUL-terminated
			// strings, so a NUL would cut the variable short.
			if !ok || key == "" || strings.ContainsFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) ||
				strings.Contains(kv, "\x00") {
				t.Fatalf("variable %q is not KEY=VALUE", kv)
			}
		}
		// The file's variables, written as an env file, read back the same.
		fromFile, err := ParseEnv(nil, []string{path}, lookup)
		if err != nil {
			t.Fatalf("the file alone: %v", err)
		}
		if err := os.WriteFile(path2, []byte(strings.Join(fromFile, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		again, err := ParseEnv(nil, []string{path2}, lookup)
		if err != nil || len(fromFile) > 0 && !reflect.DeepEqual(again, fromFile) {
			t.Fatalf("%q written as an env file reads as %q, %v", fromFile, again, err)
		}
	})
}

func FuzzParseVolume(f *testing.F) {
	dir := f.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data", "sub"), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Chdir(dir) // for ./relative host paths
	f.Fuzz(func(t *testing.T, v string) {
		if strings.Contains(v, "\x00") {
			return // a command-line argument cannot hold a NUL byte
		}
		m, err := ParseVolume(v)
		if err != nil {
			return
		}
		checkDestination(t, v, m)
		if m.Kind == spec.Volume {
			if m.Source != "" && (strings.ContainsAny(m.Source, "/:") || m.Source[0] == '.') {
				t.Fatalf("ParseVolume(%q) = %+v: a volume name that is a path", v, m)
			}
			return
		}
		if m.Kind != spec.Bind || !filepath.IsAbs(m.Source) || m.Data != "" || m.Flags&^(unix.MS_NOEXEC|unix.MS_NOSUID|unix.MS_NODEV) != 0 || m.CopyUp {
			t.Fatalf("ParseVolume(%q) = %+v", v, m)
		}
		if m.Flags != 0 || m.Chown {
			return
		}
		if _, err := os.Stat(m.Source); err != nil {
			t.Fatalf("ParseVolume(%q) = %+v: source: %v", v, m, err)
		}
		again := m.Source + ":" + m.Destination
		if m.ReadOnly {
			again += ":ro"
		}
		if m2, err := ParseVolume(again); err != nil || m2 != m {
			t.Fatalf("ParseVolume(%q) = %+v; as %q it parses to %+v, %v", v, m, again, m2, err)
		}
	})
}

// checkDestination checks a mount's path in the container: absolute,
// clean, not the root, no colon (the separator of the flag's fields).
func checkDestination(t *testing.T, v string, m spec.Mount) {
	t.Helper()
	d := m.Destination
	if !filepath.IsAbs(d) || filepath.Clean(d) != d || d == "/" || strings.Contains(d, ":") {
		t.Fatalf("%q: destination %q", v, d)
	}
}

func FuzzParseTmpfs(f *testing.F) {
	const known = unix.MS_RDONLY | unix.MS_NOEXEC | unix.MS_NOSUID | unix.MS_NODEV
	f.Fuzz(func(t *testing.T, v string) {
		if strings.Contains(v, "\x00") {
			return // a command-line argument cannot hold a NUL byte
		}
		m, err := ParseTmpfs(v)
		if err != nil {
			return
		}
		checkDestination(t, v, m)
		if m.Kind != spec.Tmpfs || m.Source != "" || m.ReadOnly || m.Flags&^known != 0 {
			t.Fatalf("ParseTmpfs(%q) = %+v", v, m)
		}
		// Every word of Data is one tmpfs(5) option.
		var words []string
		if m.Data != "" {
			for _, o := range strings.Split(m.Data, ",") {
				key, _, _ := strings.Cut(o, "=")
				switch key {
				case "size", "mode", "uid", "gid", "nr_inodes", "nr_blocks":
				default:
					t.Fatalf("ParseTmpfs(%q) = %+v: data option %q", v, m, o)
				}
				words = append(words, o)
			}
		}
		// Written back with the flag words spelt out, it parses the same.
		for _, w := range []struct {
			flag     uintptr
			set, clr string
		}{{unix.MS_RDONLY, "ro", "rw"}, {unix.MS_NOEXEC, "noexec", "exec"}, {unix.MS_NOSUID, "nosuid", "suid"}, {unix.MS_NODEV, "nodev", "dev"}} {
			if m.Flags&w.flag != 0 {
				words = append(words, w.set)
			} else {
				words = append(words, w.clr)
			}
		}
		again := m.Destination + ":" + strings.Join(words, ",")
		if m2, err := ParseTmpfs(again); err != nil || m2 != m {
			t.Fatalf("ParseTmpfs(%q) = %+v; as %q it parses to %+v, %v", v, m, again, m2, err)
		}
	})
}

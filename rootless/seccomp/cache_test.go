package seccomp

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCache(t *testing.T) {
	c := Cache{Dir: filepath.Join(t.TempDir(), "seccomp")}
	def := Default()
	prog, err := c.Filter(def, podmanCaps)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.Dir, c.Key(def, podmanCaps)+".bpf")
	cached, err := os.ReadFile(path)
	if err != nil || string(cached) != string(prog) {
		t.Fatalf("cache file %s: %v (%d bytes, want %d)", path, err, len(cached), len(prog))
	}
	// A start reads the file: a (valid) program put there is what it gets.
	stub := []byte{6, 0, 0, 0, 0, 0, 0xff, 0x7f} // ret ALLOW
	if err := os.WriteFile(path, stub, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Filter(def, podmanCaps); string(got) != string(stub) {
		t.Errorf("the cached program was not used")
	}
	// A torn or foreign file is compiled again.
	if err := os.WriteFile(path, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Filter(def, podmanCaps); string(got) != string(prog) {
		t.Errorf("a bad cache file was not replaced")
	}
	entries, _ := os.ReadDir(c.Dir)
	if len(entries) != 1 {
		t.Errorf("cache holds %d files, want 1 (no temporary files left)", len(entries))
	}

	custom, err := Parse("/p.json", []byte(`{"defaultAction": "SCMP_ACT_ALLOW"}`))
	if err != nil {
		t.Fatal(err)
	}
	custom2, _ := Parse("/p.json", []byte(`{"defaultAction": "SCMP_ACT_LOG"}`))
	keys := map[string]string{
		"default, podman's caps": c.Key(def, podmanCaps),
		"default, no caps":       c.Key(def, nil),
		"default, CAP_SYS_ADMIN": c.Key(def, append([]string{"CAP_SYS_ADMIN"}, podmanCaps...)),
		"custom":                 c.Key(custom, podmanCaps),
		"custom, other bytes":    c.Key(custom2, podmanCaps),
	}
	seen := map[string]string{}
	for what, k := range keys {
		if other, ok := seen[k]; ok {
			t.Errorf("%s and %s share a cache key", what, other)
		}
		seen[k] = what
	}
	reversed := []string{podmanCaps[len(podmanCaps)-1]}
	reversed = append(reversed, podmanCaps[:len(podmanCaps)-1]...)
	if c.Key(def, reversed) != c.Key(def, podmanCaps) {
		t.Errorf("the key depends on the capabilities' order")
	}
}

// BenchmarkCompileDefault is a cache miss: resolve and compile the default
// profile for podman's capabilities.
func BenchmarkCompileDefault(b *testing.B) {
	for b.Loop() {
		sc, known, err := Default().Resolve(podmanCaps)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compile(sc, known); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCacheHit is a start's cost: the key and one file read.
func BenchmarkCacheHit(b *testing.B) {
	c := Cache{Dir: b.TempDir()}
	if _, err := c.Filter(Default(), podmanCaps); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.Filter(Default(), podmanCaps); err != nil {
			b.Fatal(err)
		}
	}
}

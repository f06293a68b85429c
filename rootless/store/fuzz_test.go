package store

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseConfig fuzzes rl.conf. What it sets is an absolute path (the
// store and the mount program are never found relative to the working
// directory), an error names the file and is one line, and the settings
// written back as rl.conf read the same.
func FuzzParseConfig(f *testing.F) {
	f.Add(strings.Repeat("#", 70000) + "\nroot = /x\n") // a line longer than bufio's default
	base := Store{Root: "/default", RunRoot: "/run/default"}
	f.Fuzz(func(t *testing.T, conf string) {
		s, err := ParseConfig(strings.NewReader(conf), "rl.conf", base)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "rl.conf") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line that starts with the file's name", err)
			}
			return
		}
		var b strings.Builder
		for _, kv := range []struct{ key, value, def string }{
			{"root", s.Root, base.Root}, {"runroot", s.RunRoot, base.RunRoot}, {"mount_program", s.MountProgram, base.MountProgram},
		} {
			if kv.value == kv.def {
				continue
			}
			if !filepath.IsAbs(kv.value) {
				t.Fatalf("%s = %q: not an absolute path", kv.key, kv.value)
			}
			if !strings.Contains(conf, kv.value) {
				t.Fatalf("%s = %q: not in the file", kv.key, kv.value)
			}
			fmt.Fprintf(&b, "%s = \"%s\"\n", kv.key, kv.value)
		}
		again, err := ParseConfig(strings.NewReader(b.String()), "rl.conf", base)
		if err != nil || again != s {
			t.Fatalf("%+v written back as %q reads as %+v, %v", s, b.String(), again, err)
		}
	})
}

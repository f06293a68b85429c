package opts

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"unicode"
)

// ParseEnv builds the -e/--env-file environment in docker's order: each
// env file's lines, then each -e. "KEY" alone takes KEY from lookup (the
// caller's environment) and is dropped when unset there.
//
// A name may not be empty or hold whitespace or control characters (a
// newline in a name forges a second variable for whatever reads the
// environment line by line, as env(1) output and /proc/PID/environ
// parsers do); nothing may hold NUL, where execve(2) ends a string.
func ParseEnv(envs, envFiles []string, lookup func(string) (string, bool)) ([]string, error) {
	var out []string
	add := func(kv, flag string) error {
		key, _, hasValue := strings.Cut(kv, "=")
		if key == "" || strings.ContainsFunc(key, badKeyRune) {
			return fmt.Errorf("invalid environment variable %q (%s): want KEY=VALUE or KEY, with no spaces or control characters in KEY", kv, flag)
		}
		if strings.ContainsRune(kv, 0) {
			return fmt.Errorf("invalid environment variable %q (%s): a value may not hold NUL", kv, flag)
		}
		if hasValue {
			out = append(out, kv)
		} else if v, ok := lookup(key); ok {
			out = append(out, key+"="+v)
		}
		return nil
	}
	for _, path := range envFiles {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading env file: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimLeft(sc.Text(), " \t")
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if err := add(line, fmt.Sprintf("--env-file %s line %d", path, n)); err != nil {
				f.Close()
				return nil, err
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading env file %s: %w", path, err)
		}
	}
	for _, kv := range envs {
		if err := add(kv, "-e"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// badKeyRune reports whether r may not appear in an environment
// variable's name: whitespace and control characters (ASCII and Unicode).
func badKeyRune(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r)
}

package opts

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// ParseEnv builds the -e/--env-file environment in docker's order: each
// env file's lines, then each -e. "KEY" alone takes KEY from lookup (the
// caller's environment) and is dropped when unset there.
func ParseEnv(envs, envFiles []string, lookup func(string) (string, bool)) ([]string, error) {
	var out []string
	add := func(kv, where string) error {
		key, _, hasValue := strings.Cut(kv, "=")
		if key == "" || strings.ContainsAny(key, " \t") {
			return fmt.Errorf("invalid environment variable %q%s: want KEY=VALUE or KEY", kv, where)
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
			if err := add(line, fmt.Sprintf(" in %s line %d", path, n)); err != nil {
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
		if err := add(kv, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

package config

import "fmt"

// CheckName validates a --name as docker does: a letter or digit, then
// letters, digits, '_', '.' or '-'. The name becomes a file name in the
// store, so nothing else may pass.
func CheckName(name string) error {
	for i, r := range name {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || r != '_' && r != '.' && r != '-') {
			return fmt.Errorf("invalid --name %q: use letters, digits, '_', '.' and '-', starting with a letter or digit", name)
		}
	}
	return nil
}

// CheckHostname validates a --hostname: at most 64 bytes (the kernel's
// limit, HOST_NAME_MAX), letters, digits, '-' and '.'.
func CheckHostname(h string) error {
	if len(h) > 64 {
		return fmt.Errorf("invalid --hostname %q: longer than 64 characters", h)
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return fmt.Errorf("invalid --hostname %q: use letters, digits, '-' and '.'", h)
		}
	}
	return nil
}

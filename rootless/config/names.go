package config

// NameRule says which names ValidName accepts, for errors.
const NameRule = "use letters, digits, '_', '.' and '-', starting with a letter or digit"

// ValidName reports whether name may name a container or a pod, by
// docker's rule: a letter or digit, then letters, digits, '_', '.' or
// '-'. The name becomes a file name in the store, so nothing else may
// pass. "" (no name) is valid.
func ValidName(name string) bool {
	for i, r := range name {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || r != '_' && r != '.' && r != '-') {
			return false
		}
	}
	return true
}

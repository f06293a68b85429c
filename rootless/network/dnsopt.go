package network

import "strings"

// WithDNSOptions replaces the options lines of a resolv.conf with one
// line of the --dns-opt options, as podman does; with none it returns
// conf as it is.
func WithDNSOptions(conf []byte, options []string) []byte {
	if len(options) == 0 {
		return conf
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(string(conf), "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "options" {
			continue
		}
		b.WriteString(l)
	}
	out := b.String()
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return []byte(out + "options " + strings.Join(options, " ") + "\n")
}

package fsoverlay

import "strings"

// escaper protects the characters that overlayfs's option parser treats
// specially: ',' separates mount options, ':' separates lower dirs, and '\'
// escapes either.
var escaper = strings.NewReplacer(`\`, `\\`, `,`, `\,`, `:`, `\:`)

// Escape escapes one path for use in an overlay mount option.
func Escape(path string) string { return escaper.Replace(path) }

// Layers describes one overlay mount. Lower is ordered top-most first, as
// overlayfs(5) reads lowerdir. Upper and Work are empty for a read-only
// overlay.
type Layers struct {
	Lower []string
	Upper string
	Work  string
	// UserXattr stores overlay metadata in user.overlay.* xattrs, which is
	// what a mount inside a user namespace must use (Linux >= 5.11): the
	// trusted.* namespace needs CAP_SYS_ADMIN in the initial namespace.
	UserXattr bool
}

// Data renders the mount(2) data string for l.
func (l Layers) Data() string {
	lower := make([]string, len(l.Lower))
	for i, d := range l.Lower {
		lower[i] = Escape(d)
	}
	opts := []string{"lowerdir=" + strings.Join(lower, ":")}
	if l.Upper != "" {
		opts = append(opts, "upperdir="+Escape(l.Upper), "workdir="+Escape(l.Work))
	}
	if l.UserXattr {
		opts = append(opts, "userxattr")
	}
	return strings.Join(opts, ",")
}

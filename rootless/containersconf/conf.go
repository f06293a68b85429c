// Package containersconf reads podman's containers.conf files (the
// containers/common format, containers.conf(5)) for the keys that mean
// something to rl: defaults of rl run and rl create, and engine-wide
// choices. The front end (rl) reads them, lazily, when a command needs
// them. Keys rl does not use are accepted silently, as the files that
// podman installs are full of them; a value of a key rl uses that is
// malformed, or a TOML syntax error, is an error naming the file and line.
package containersconf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config holds the keys rl uses, merged from every file read.
type Config struct {
	Containers Containers `toml:"containers"`
	Engine     Engine     `toml:"engine"`
	// sources are where each key that is set comes from ("containers.env").
	sources map[string]setting
}

// Containers is the [containers] table.
type Containers struct {
	Env                 []string `toml:"env"`
	DefaultUlimits      []string `toml:"default_ulimits"`
	DefaultCapabilities []string `toml:"default_capabilities"`
	DNSServers          []string `toml:"dns_servers"`
	LogDriver           string   `toml:"log_driver"`
	LogSizeMax          int64    `toml:"log_size_max"`
	PidsLimit           int64    `toml:"pids_limit"`
	ReadOnly            bool     `toml:"read_only"`
	HTTPProxy           bool     `toml:"http_proxy"`
	Userns              string   `toml:"userns"`
}

// Engine is the [engine] table.
type Engine struct {
	CgroupManager         string `toml:"cgroup_manager"`
	EventsLogger          string `toml:"events_logger"`
	ImageDefaultTransport string `toml:"image_default_transport"`
	// Runtime names podman's OCI runtime; rl is its own (rl-init), so
	// the key is read only to check its type.
	Runtime string `toml:"runtime"`
	// HelperBinariesDir are where netavark and aardvark-dns are looked
	// for after PATH, instead of podman's default directories.
	HelperBinariesDir []string `toml:"helper_binaries_dir"`
}

// Source is where a key was set.
type Source struct {
	File string
	Line int
}

func (s Source) String() string { return s.File + ":" + strconv.Itoa(s.Line) }

// Error is a file that cannot be read as containers.conf.
type Error struct {
	Source Source
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("reading containers.conf: %s: %v", e.Source, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Set is true when some file sets key ("containers.pids_limit").
func (c *Config) Set(key string) bool { _, ok := c.sources[key]; return ok }

// setting is the file that set a key, with its text: the key's line is
// looked up only for an error, since finding it costs a scan of the text
// per key (most of what reading the files would cost a start).
type setting struct{ file, text string }

// source is where key ("containers.pids_limit") was set.
func (c *Config) source(key string) Source {
	s := c.sources[key]
	table, name, _ := strings.Cut(key, ".")
	return Source{File: s.file, Line: keyLine(s.text, table, name)}
}

// Errorf is an error about key's value, naming where it was set.
func (c *Config) Errorf(key, format string, args ...any) error {
	return &Error{Source: c.source(key), Err: fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...))}
}

// Paths are the files read, in order, as podman reads them: with
// CONTAINERS_CONF set, only that file; else the system's files and the
// user's, each followed by its containers.conf.d/*.conf drop-ins; then
// CONTAINERS_CONF_OVERRIDE. getenv is os.Getenv in rl.
func Paths(getenv func(string) string, uid int) []string {
	var files []string
	if p := getenv("CONTAINERS_CONF"); p != "" {
		files = append(files, p)
	} else {
		dirs := []string{"/usr/share/containers/containers.conf", "/etc/containers/containers.conf"}
		if uid != 0 {
			dirs = append(dirs, "/etc/containers/containers.rootless.conf")
			cfg := getenv("XDG_CONFIG_HOME")
			if cfg == "" && getenv("HOME") != "" {
				cfg = filepath.Join(getenv("HOME"), ".config")
			}
			if cfg != "" {
				dirs = append(dirs, filepath.Join(cfg, "containers", "containers.conf"))
			}
		}
		for _, f := range dirs {
			files = append(files, f)
			dropins, _ := filepath.Glob(f + ".d/*.conf")
			slices.Sort(dropins)
			files = append(files, dropins...)
		}
	}
	if p := getenv("CONTAINERS_CONF_OVERRIDE"); p != "" {
		files = append(files, p)
	}
	return files
}

// Load reads files in order; a later file's key replaces an earlier
// one's (lists too, as podman's). A missing file is skipped, except one
// named by CONTAINERS_CONF or CONTAINERS_CONF_OVERRIDE (required names it).
func Load(files []string, required func(string) bool) (*Config, error) {
	c := &Config{sources: map[string]setting{}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) && !required(f) {
			continue
		}
		if err != nil {
			return nil, &Error{Source: Source{File: f}, Err: err}
		}
		if err := c.merge(f, string(b)); err != nil {
			return nil, err
		}
	}
	return c, c.check()
}

// merge decodes one file's text over c.
func (c *Config) merge(file, text string) error {
	var one Config
	stripped, lines := stripComments(text)
	md, err := toml.Decode(stripped, &one)
	if err != nil {
		src := Source{File: file}

		var pe toml.ParseError
		if errors.As(err, &pe) {
			src.Line, err = pe.Position.Line, errors.New(pe.Message)
		} else if m := regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`).FindStringSubmatch(err.Error()); m != nil {
			// A value of the wrong type: the decoder's message is text.
			src.Line, _ = strconv.Atoi(m[1])
			err = fmt.Errorf("%s: %s", m[2], m[3])
		}
		if src.Line > len(lines) && lines != nil {
			// (An error at the end of the text: after its last line.)
			src.Line = lines[len(lines)-1]
		} else if src.Line > 0 && lines != nil {
			src.Line = lines[src.Line-1]
		}
		return &Error{Source: src, Err: err}
	}
	for _, table := range []struct {
		name     string
		dst, src reflect.Value
	}{
		{"containers", reflect.ValueOf(&c.Containers).Elem(), reflect.ValueOf(one.Containers)},
		{"engine", reflect.ValueOf(&c.Engine).Elem(), reflect.ValueOf(one.Engine)},
	} {
		t := table.src.Type()
		for i := range t.NumField() {
			key := t.Field(i).Tag.Get("toml")
			if !md.IsDefined(table.name, key) {
				continue
			}
			table.dst.Field(i).Set(table.src.Field(i))
			c.sources[table.name+"."+key] = setting{file, text}
		}
	}
	return nil
}

// stripComments drops the lines that are only a comment or blank, and
// returns the rest with the original number of each line kept: the files
// podman installs are mostly comments, and the decoder's lexer would spend
// most of a start of rl in them. A file with multi-line strings, whose
// lines may start with #, is left whole.
func stripComments(text string) (string, []int) {
	if strings.Contains(text, `"""`) || strings.Contains(text, "'''") {
		return text, nil
	}
	var b strings.Builder
	var lines []int
	for n := 1; text != ""; n++ {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		if t := strings.TrimLeft(line, " \t\r"); t == "" || t[0] == '#' {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
		lines = append(lines, n)
	}
	return b.String(), lines
}

// keyLine is the line of key in table of a file's text (TOML's decoder
// does not keep positions), or 0.
func keyLine(text, table, key string) int {
	header := regexp.MustCompile(`^\s*\[\s*([^\]]*?)\s*\]\s*(#.*)?$`)
	assign := regexp.MustCompile(`^\s*"?` + regexp.QuoteMeta(key) + `"?\s*=`)
	in := ""
	for i, l := range strings.Split(text, "\n") {
		if m := header.FindStringSubmatch(l); m != nil {
			in = m[1]
			continue
		}
		if in == table && assign.MatchString(l) {
			return i + 1
		}
	}
	return 0
}

// Log drivers, cgroup managers and event loggers that the keys may name.
var (
	logDrivers     = []string{"k8s-file", "json-file", "journald", "none", "passthrough"}
	cgroupManagers = []string{"systemd", "cgroupfs"}
	eventLoggers   = []string{"file", "journald", "none"}
)

// ulimitForm is NAME=SOFT[:HARD]; compiled when a file sets ulimits, not
// at every start of rl.
const ulimitForm = `^[a-z]+=(-1|unlimited|[0-9]+)(:(-1|unlimited|[0-9]+))?$`

// check refuses the values that are wrong whatever the command: the rest
// (a user namespace mode, a DNS server) rl's flag parsers check.
func (c *Config) check() error {
	oneOf := func(key, v string, allowed []string) error {
		if c.Set(key) && !slices.Contains(allowed, v) {
			return c.Errorf(key, "invalid value %q: use %s", v, strings.Join(allowed, ", "))
		}
		return nil
	}
	limit := func(key string, v int64, want string) error {
		if c.Set(key) && v < -1 {
			return c.Errorf(key, "invalid value %d: want %s, or -1 for none", v, want)
		}
		return nil
	}
	for _, err := range []error{
		oneOf("containers.log_driver", c.Containers.LogDriver, logDrivers),
		oneOf("engine.cgroup_manager", c.Engine.CgroupManager, cgroupManagers),
		oneOf("engine.events_logger", c.Engine.EventsLogger, eventLoggers),
		oneOf("engine.image_default_transport", c.Engine.ImageDefaultTransport, []string{"docker://"}),
		limit("containers.pids_limit", c.Containers.PidsLimit, "a number of processes"),
		limit("containers.log_size_max", c.Containers.LogSizeMax, "a size in bytes"),
		c.checkUlimits(),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkUlimits checks default_ulimits' form; rl's --ulimit parser checks
// the names and numbers.
func (c *Config) checkUlimits() error {
	if len(c.Containers.DefaultUlimits) == 0 {
		return nil
	}
	form := regexp.MustCompile(ulimitForm)
	for _, u := range c.Containers.DefaultUlimits {
		if !form.MatchString(u) {
			return c.Errorf("containers.default_ulimits", "invalid ulimit %q: want NAME=SOFT[:HARD] (nofile=1024:2048)", u)
		}
	}
	return nil
}

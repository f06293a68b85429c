package opts

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/docker/go-units"
	"golang.org/x/term"

	"github.com/rl-containers/rl/rootless/config"
)

// Lifecycle are the flags of rl run and rl create that say where the
// container's output goes and how it starts and ends (opts.Run holds
// them; its Container parses them with lifecycle).
type Lifecycle struct {
	StopSignal        string
	StopTimeout       int
	Timeout           int
	DetachKeys        string
	Attach            []string
	Replace           bool
	HealthTimeout     string
	HealthStartPeriod string
	HealthOnFailure   string
}

// lifecycle parses the log and lifecycle flags into c.
func (f Run) lifecycle(c *config.Container) error {
	var err error
	if c.Log, err = ParseLog(f.LogDriver, f.LogOpts); err != nil {
		return err
	}
	if c.Lifecycle, err = f.Lifecycle.Parse(f.Detach, c.Health.Cmd != ""); err != nil {
		return err
	}
	if name, ok := strings.CutPrefix(c.Pod, "new:"); ok {
		if name == "" || !config.ValidName(name) {
			return fmt.Errorf("invalid --pod %q: the new pod's name must be at least one character; %s", c.Pod, config.NameRule)
		}
	}
	if c.Lifecycle.Replace && c.Name == "" {
		return errors.New("--replace needs --name: it replaces the container of that name")
	}
	if c.Log.Driver != config.LogPassthrough {
		return nil
	}
	// podman's rules: the container writes to rl's own stdio, which must
	// not be a terminal (its input could leak to the host).
	switch {
	case term.IsTerminal(0) || term.IsTerminal(1) || term.IsTerminal(2):
		return errors.New("the '--log-driver passthrough' option cannot be used on a TTY: redirect rl's stdio, or use --log-driver k8s-file")
	case len(f.Lifecycle.Attach) > 0:
		return errors.New("cannot specify --attach with --log-driver=passthrough: the container has rl's stdio")
	case f.Detach:
		return errors.New("--log-driver passthrough needs the container in the foreground: it writes to rl's own stdio")
	}
	return nil
}

// Parse checks the lifecycle flags; detach is rl run -d or rl create,
// health whether a health check was given.
func (f Lifecycle) Parse(detach, health bool) (config.Lifecycle, error) {
	l := config.Lifecycle{Replace: f.Replace, DetachKeys: f.DetachKeys}
	if f.StopSignal != "" {
		sig, err := ParseSignal(f.StopSignal)
		if err != nil {
			return l, fmt.Errorf("invalid --stop-signal: %w", err)
		}
		l.StopSignal = int(sig)
	}
	if f.StopTimeout < 0 {
		return l, fmt.Errorf("invalid --stop-timeout %d: must be 0 or more seconds", f.StopTimeout)
	}
	l.StopTimeout = f.StopTimeout
	if f.Timeout < 0 {
		return l, fmt.Errorf("invalid --timeout %d: must be 0 or more seconds", f.Timeout)
	}
	l.Timeout = time.Duration(f.Timeout) * time.Second
	if err := CheckDetachKeys(f.DetachKeys); err != nil {
		return l, err
	}
	for _, s := range f.Attach {
		for _, stream := range strings.Split(s, ",") {
			switch stream = strings.ToLower(stream); stream {
			case "stdin", "stdout", "stderr":
				l.Attach = append(l.Attach, stream)
			default:
				return l, fmt.Errorf("invalid stream %q for --attach: must be one of stdin, stdout, or stderr", stream)
			}
		}
	}
	if len(l.Attach) > 0 && detach {
		l.Attach = nil // podman ignores -a with -d: nothing is attached
	}
	var err error
	if l.HealthTimeout, err = parseHealthDuration("--health-timeout", f.HealthTimeout); err != nil {
		return l, err
	}
	if l.HealthStartPeriod, err = parseHealthDuration("--health-start-period", f.HealthStartPeriod); err != nil {
		return l, err
	}
	switch f.HealthOnFailure {
	case "", "none":
	case "kill", "restart", "stop":
		if !health {
			return l, fmt.Errorf("cannot set --health-on-failure to %s without a health check: add --health-cmd", f.HealthOnFailure)
		}
		l.HealthOnFailure = f.HealthOnFailure
	default:
		return l, fmt.Errorf("invalid --health-on-failure %q: supported actions are none, kill, restart and stop", f.HealthOnFailure)
	}
	return l, nil
}

// parseHealthDuration parses a health check's duration: "" is 0.
func parseHealthDuration(flag, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid %s %q: give a duration of 0 or more (30s, 1m)", flag, s)
	}
	return d, nil
}

// CheckDetachKeys checks a --detach-keys sequence as podman reads it:
// comma-separated keys, each one character or ctrl-X (X a letter or one of
// @[\]^_); "" disables detaching.
func CheckDetachKeys(s string) error {
	if s == "" {
		return nil
	}
	for _, k := range strings.Split(s, ",") {
		if len(k) == 1 {
			continue
		}
		x, ok := strings.CutPrefix(strings.ToLower(k), "ctrl-")
		if ok && len(x) == 1 && (x[0] >= 'a' && x[0] <= 'z' || strings.Contains(`@[\]^_`, x)) {
			continue
		}
		return fmt.Errorf("invalid --detach-keys %q: unknown key %q (give keys like a or ctrl-p, comma-separated)", s, k)
	}
	return nil
}

// ParseLog parses --log-driver and --log-opt (path=, max-size=, tag=;
// podman keeps other KEY=VALUE options, and so does rl, ignoring them).
func ParseLog(driver string, logOpts []string) (config.Log, error) {
	l := config.Log{Driver: driver}
	switch driver {
	case "":
		l.Driver = config.LogK8sFile
	case config.LogK8sFile, config.LogJSONFile, config.LogNone, config.LogPassthrough:
	case config.LogJournald:
		return l, errors.New("--log-driver journald: failed to initialize journal: rl writes no journal (hint: use --log-driver k8s-file, the default)")
	default:
		return l, fmt.Errorf("invalid --log-driver %q: use k8s-file, json-file, journald, none or passthrough", driver)
	}
	for _, o := range logOpts {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			return l, fmt.Errorf("invalid log option %q: give KEY=VALUE (path, max-size or tag)", o)
		}
		switch k {
		case "path":
			if !strings.HasPrefix(v, "/") {
				return l, fmt.Errorf("invalid log option %q: the path must be absolute", o)
			}
			l.Path = v
		case "max-size":
			n, err := units.FromHumanSize(v)
			if err != nil || n < 0 {
				return l, fmt.Errorf("invalid log option %q: invalid size %q", o, v)
			}
			l.Size = n
		case "tag":
			l.Tag = v
		}
	}
	return l, nil
}

package main

import (
	"reflect"
	"slices"
	"strings"

	"github.com/moby/sys/signal"
	"github.com/spf13/cobra"

	"github.com/rl-containers/rl/rootless"
	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/store"
	"github.com/rl-containers/rl/rootless/volume"
)

// completing is true when rl runs for the shell's completion (cobra's
// hidden __complete command, which the scripts of rl completion call).
func completing(args []string) bool {
	return len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd)
}

// completer lists the candidates of an argument or flag, from the store
// as e reads it: files only, no helper is started.
type completer func(e *rootless.Engine, toComplete string) []string

// runningOnly are the verbs whose containers must be running.
var runningOnly = []string{"stop", "exec", "kill", "top", "stats", "port"}

// registerCompletions gives every command of root the completion of its
// arguments, from the first word after its name in Use (CONTAINER,
// IMAGE, POD, VOLUME, NETWORK: each argument with "...", else the first only),
// and of the flags whose values rl knows.
func registerCompletions(root *cobra.Command, g *globalOptions) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.ValidArgsFunction == nil && c.Runnable() {
			if comp, every := argCompleter(c); comp != nil {
				c.ValidArgsFunction = rootfsCommand(g.completion(comp, every))
			}
		}
		for name, comp := range flagCompleters(c) {
			if c.Flags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, g.completion(comp, true))
			}
		}
	}
	walk(root)
}

// argCompleter is the completer of c's arguments, and whether every
// argument is one (CONTAINER...) or the first alone.
func argCompleter(c *cobra.Command) (completer, bool) {
	words := strings.Fields(c.Use)
	words = slices.DeleteFunc(words[1:], func(w string) bool { return w == "[flags]" })
	if len(words) == 0 {
		return nil, false
	}
	first := words[0]
	every := strings.HasSuffix(first, "...")
	kind := strings.Trim(strings.TrimSuffix(first, "..."), "[]")
	switch {
	case kind == "CONTAINER|IMAGE|POD":
		return union(allContainers, images, pods), every
	case kind == "CONTAINER" && c.Name() == "start":
		return stoppedContainers, every
	case kind == "CONTAINER" && slices.Contains(runningOnly, c.Name()):
		return runningContainers, every
	case kind == "CONTAINER":
		return allContainers, every
	case kind == "IMAGE" || kind == "SOURCE":
		return images, every
	case kind == "POD":
		return pods, every
	case kind == "VOLUME":
		return volumes, every
	case kind == "NETWORK":
		return networks, every
	}
	return nil, false
}

// flagCompleters are the completers of c's flags that rl knows values of.
func flagCompleters(c *cobra.Command) map[string]completer {
	m := map[string]completer{
		"network":     networkModes,
		"signal":      signals,
		"stop-signal": signals,
		"pod":         pods,
		"userns": func(*rootless.Engine, string) []string {
			return []string{"keep-id", "nomap", "auto", "private"}
		},
	}
	if c.Name() == "ps" && c.Parent().Name() != "pod" {
		m["filter"] = psFilters
	}
	if t := listed(c); t != nil {
		m["format"] = formatFields(t)
	} else {
		m["format"] = func(*rootless.Engine, string) []string { return []string{"json"} }
	}
	return m
}

// listed is the type of a row that c's --format templates see, for the
// listing commands.
func listed(c *cobra.Command) reflect.Type {
	if !c.HasParent() {
		return nil
	}
	switch parent := c.Parent().Name(); {
	case c.Name() == "ps" && parent == "pod":
		return reflect.TypeFor[podRow]()
	case c.Name() == "ps":
		return reflect.TypeFor[psView]()
	case c.Name() == "images" || c.Name() == "list" && parent == "image":
		return reflect.TypeFor[imageRow]()
	case c.Name() == "ls" && parent == "volume":
		return reflect.TypeFor[volume.Volume]()
	}
	return nil
}

// completion adapts comp to cobra: the store is opened as the command
// would open it (--root, rl.conf); candidates already on the line are
// left out, and no file names are offered.
func (g *globalOptions) completion(comp completer, every bool) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if !every && len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		s, err := g.store()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var out []string
		for _, cand := range comp(rootless.New(s), toComplete) {
			if strings.HasPrefix(cand, toComplete) && !slices.Contains(args, cand) {
				out = append(out, cand)
			}
		}
		directive := cobra.ShellCompDirectiveNoFileComp
		if slices.ContainsFunc(out, func(c string) bool { return strings.HasSuffix(c, ":") || strings.HasSuffix(c, "=") }) {
			directive |= cobra.ShellCompDirectiveNoSpace
		}
		return out, directive
	}
}

// rootfsCommand completes the arguments of rl run --rootfs DIR (and
// create) as the shell would, files: they are the command, not an image.
func rootfsCommand(f cobra.CompletionFunc) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if r := c.Flags().Lookup("rootfs"); r != nil && r.Changed {
			return nil, cobra.ShellCompDirectiveDefault
		}
		return f(c, args, toComplete)
	}
}

// allContainers completes the name of every container, from the store's
// name links.
func allContainers(e *rootless.Engine, _ string) []string {
	names, _ := e.Store.Names()
	return names
}

// runningContainers completes the names of the running containers, from
// the store's index of them.
func runningContainers(e *rootless.Engine, _ string) []string {
	states, _ := e.Store.ListActive()
	return containerNames(states, func(store.State) bool { return true })
}

// stoppedContainers completes the names of the containers that do not
// run (rl start's).
func stoppedContainers(e *rootless.Engine, _ string) []string {
	states, _ := e.Store.List()
	return containerNames(states, func(st store.State) bool { return !st.Active() })
}

// containerNames are the names of the states that keep selects.
func containerNames(states []store.State, keep func(store.State) bool) []string {
	var out []string
	for _, st := range states {
		if keep(st) {
			out = append(out, st.Name)
		}
	}
	return out
}

func images(e *rootless.Engine, _ string) []string { return image.Names(e.Store.GraphRoot()) }

func pods(e *rootless.Engine, _ string) []string {
	ps, _ := e.Store.Pods()
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// networks are the user-defined networks (the default one, podman, too).
func networks(e *rootless.Engine, _ string) []string {
	ns, _ := e.Networks().List()
	var out []string
	for _, n := range ns {
		out = append(out, n.Name)
	}
	return out
}

func volumes(e *rootless.Engine, _ string) []string {
	vs, _ := e.Volumes().List()
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

// union is every candidate of comps.
func union(comps ...completer) completer {
	return func(e *rootless.Engine, toComplete string) []string {
		var out []string
		for _, c := range comps {
			out = append(out, c(e, toComplete)...)
		}
		return out
	}
}

// networkModes are --network's modes with the user-defined networks, and
// container:NAME for each container.
func networkModes(e *rootless.Engine, toComplete string) []string {
	modes := []string{network.Slirp4netns, network.Pasta, network.None, network.Host, network.Container + ":"}
	if !strings.HasPrefix(toComplete, network.Container+":") {
		return append(modes, networks(e, toComplete)...)
	}
	var out []string
	for _, name := range allContainers(e, "") {
		out = append(out, network.Container+":"+name)
	}
	return out
}

// signals are the signal names kill -s takes, with SIG when the word
// has it.
func signals(_ *rootless.Engine, toComplete string) []string {
	prefix := ""
	if strings.HasPrefix(strings.ToUpper(toComplete), "SIG") {
		prefix = toComplete[:3]
	}
	var out []string
	for name := range signal.SignalMap {
		out = append(out, prefix+name)
	}
	slices.Sort(out)
	return out
}

// psFilters are rl ps --filter's keys, KEY=, and status='s values.
func psFilters(_ *rootless.Engine, toComplete string) []string {
	if strings.HasPrefix(toComplete, "status=") {
		var out []string
		for _, st := range store.FilterStatuses {
			out = append(out, "status="+st)
		}
		return out
	}
	var out []string
	for _, k := range store.FilterKeys {
		out = append(out, k+"=")
	}
	return out
}

// formatFields completes --format: json, table, and {{.Field}} for each
// field a template sees in t.
func formatFields(t reflect.Type) completer {
	return func(*rootless.Engine, string) []string {
		out := []string{"json", "table"}
		seen := map[string]bool{}
		var add func(t reflect.Type)
		add = func(t reflect.Type) {
			for i := range t.NumField() {
				f := t.Field(i)
				switch {
				case f.Anonymous:
					add(f.Type)
				case f.IsExported() && !seen[f.Name]:
					seen[f.Name] = true
					out = append(out, "{{."+f.Name+"}}")
				}
			}
		}
		add(t)
		return out
	}
}

package main

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/cmd/rl/opts"
	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/containersconf"
)

// loadContainersConf reads podman's containers.conf files once, the first
// time a command needs them: a CONTAINERS_CONF or CONTAINERS_CONF_OVERRIDE
// that names a missing file is an error, a missing system file is not.
var loadContainersConf = sync.OnceValues(func() (*containersconf.Config, error) {
	named := map[string]bool{os.Getenv("CONTAINERS_CONF"): true, os.Getenv("CONTAINERS_CONF_OVERRIDE"): true}
	return containersconf.Load(containersconf.Paths(os.Getenv, os.Getuid()), func(p string) bool { return named[p] })
})

// withContainersConf applies containers.conf to the run or create flags
// the command line did not give, then parses them (opts.Run.Container).
func withContainersConf(f *opts.Run, fl *pflag.FlagSet, args []string) (config.Container, error) {
	conf, err := loadContainersConf()
	if err == nil {
		err = applyContainersConf(conf, f, fl.Changed)
	}
	if err != nil {
		return config.Container{}, err
	}
	c, err := f.Container(args)
	c.DefaultEnv = append(proxyEnv(f.HTTPProxy, os.LookupEnv), conf.Containers.Env...)
	return c, err
}

// proxyVariables are the variables --http-proxy passes on, as podman's.
var proxyVariables = []string{"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ftp_proxy", "FTP_PROXY", "no_proxy", "NO_PROXY"}

// proxyEnv is --http-proxy's share of the container's environment: the
// proxy variables that rl has, when on.
func proxyEnv(on bool, lookup func(string) (string, bool)) []string {
	if !on {
		return nil
	}
	var env []string
	for _, k := range proxyVariables {
		if v, ok := lookup(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// applyContainersConf sets f's unset flags from conf, as podman does
// (flags win); a value the flag's parser refuses is an error naming the
// file and line it came from.
func applyContainersConf(conf *containersconf.Config, f *opts.Run, changed func(string) bool) error {
	cc := conf.Containers
	unset := func(flag, key string) bool { return !changed(flag) && conf.Set("containers."+key) }
	if unset("read-only", "read_only") {
		f.ReadOnly = cc.ReadOnly
	}
	if unset("http-proxy", "http_proxy") {
		f.HTTPProxy = cc.HTTPProxy
	}
	if unset("userns", "userns") {
		if _, _, err := opts.ParseUserns(cc.Userns); err != nil {
			return conf.Errorf("containers.userns", "%v", err)
		}
		f.Userns = cc.Userns
	}
	if unset("pids-limit", "pids_limit") && cc.PidsLimit != 0 {
		f.Resources.PidsLimit = cc.PidsLimit
	}
	if unset("dns", "dns_servers") {
		for _, s := range cc.DNSServers {
			if _, err := opts.ParseDNS(s); err != nil {
				return conf.Errorf("containers.dns_servers", "%v", err)
			}
		}
		f.Network.DNS = cc.DNSServers
	}
	// cgroup_manager is the engine's preference, not a demand as the flag
	// is: where no manager can place a cgroup (a cgroup v1 host, as podman's
	// rootless cgroupfs there), rl runs without one, as it does by default.
	if !changed("cgroup-manager") && conf.Set("engine.cgroup_manager") && cgroupsd.Default() != cgroupsd.None {
		f.CgroupManager = conf.Engine.CgroupManager
	}
	if unset("log-driver", "log_driver") {
		f.LogDriver = cc.LogDriver
	}
	if conf.Set("containers.log_size_max") && cc.LogSizeMax > 0 && !slices.ContainsFunc(f.LogOpts, func(o string) bool { return strings.HasPrefix(o, "max-size=") }) {
		f.LogOpts = append(f.LogOpts, "max-size="+strconv.FormatInt(cc.LogSizeMax, 10))
	}
	// default ulimits hold for the resources that --ulimit does not name.
	var ulimits []string
	for _, u := range cc.DefaultUlimits {
		name, _, _ := strings.Cut(u, "=")
		if !slices.ContainsFunc(f.Ulimits, func(v string) bool { return strings.HasPrefix(v, name+"=") }) {
			ulimits = append(ulimits, u)
		}
	}
	f.Ulimits = append(ulimits, f.Ulimits...)
	if conf.Set("containers.default_capabilities") {
		return applyDefaultCapabilities(conf, &f.Security)
	}
	return nil
}

// applyDefaultCapabilities makes default_capabilities the base set that
// --cap-add and --cap-drop change: rl's base is podman's default set, so
// the difference becomes drops and adds that the flags' own override.
func applyDefaultCapabilities(conf *containersconf.Config, s *opts.Security) error {
	norm := func(c string) string {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !strings.HasPrefix(c, "CAP_") && c != "ALL" {
			c = "CAP_" + c
		}
		return c
	}
	var want []string
	for _, c := range conf.Containers.DefaultCapabilities {
		n := norm(c)
		if _, ok := config.CapabilityNumber(n); !ok {
			return conf.Errorf("containers.default_capabilities", "%q is not a capability (e.g. NET_ADMIN, CAP_SYS_PTRACE)", c)
		}
		want = append(want, n)
	}
	userAdd, userDrop := mapStrings(s.CapAdd, norm), mapStrings(s.CapDrop, norm)
	for _, c := range want {
		if !slices.Contains(config.DefaultCapabilities, c) && !slices.Contains(userDrop, c) && !slices.Contains(userDrop, "ALL") {
			s.CapAdd = append(s.CapAdd, c)
		}
	}
	for _, c := range config.DefaultCapabilities {
		if !slices.Contains(want, c) && !slices.Contains(userAdd, c) && !slices.Contains(userAdd, "ALL") {
			s.CapDrop = append(s.CapDrop, c)
		}
	}
	return nil
}

// mapStrings splits comma lists (--cap-add a,b) and maps each name.
func mapStrings(in []string, f func(string) string) []string {
	var out []string
	for _, v := range in {
		for _, p := range strings.Split(v, ",") {
			out = append(out, f(p))
		}
	}
	return out
}

package doctor

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"

	"github.com/rl-containers/rl/rootless/image"
	"github.com/rl-containers/rl/rootless/launch"
)

func helperChecks() []check {
	return []check{
		{id: "helpers.rl-init", run: checkInit, dflt: true},
		{id: "helpers.rl-image", run: checkImageHelper, dflt: true},
		{id: "config.registries", run: checkRegistries},
		{id: "config.policy", run: checkPolicy},
	}
}

// installRL reinstalls rl's three binaries side by side.
const installRL = "make install (rl, rl-init and rl-image side by side)"

// checkInit: rl-init beside rl, built with its C stage, which joins and
// holds user namespaces (rl exec, pods, the shared user namespace).
func checkInit(*Host) Result {
	p, err := launch.InitPath()
	if err != nil {
		return Result{Status: Fail, Found: err.Error(), Breaks: "every container", Fix: installRL}
	}
	// The build settings that Go records in every binary, as go version
	// -m prints them; debug/buildinfo would parse them, but links a
	// reader of every executable format into rl.
	b, err := os.ReadFile(p)
	if err != nil {
		return Result{Status: Fail, Found: p + ": " + err.Error(), Breaks: "every container", Fix: installRL}
	}
	if bytes.Contains(b, []byte("\nbuild\tCGO_ENABLED=1\n")) {
		return Result{Status: OK, Found: p + ", with its C stage"}
	}
	return Result{Status: Warn, Found: p + " was built without cgo: it has no C stage", Breaks: "rl exec, pods and the shared user namespace",
		Fix: "install a C compiler and the static libc (gcc, libc6-dev), then " + installRL}
}

// checkImageHelper: rl-image beside rl, and able to open the image store
// (its records parse, its lock can be taken).
func checkImageHelper(h *Host) Result {
	p, err := launch.Helper("rl-image", image.ErrNoHelper)
	if err != nil {
		return Result{Status: Fail, Found: err.Error(), Breaks: "images: rl pull, rl run IMAGE", Fix: installRL}
	}
	if h.images == nil {
		return Result{Status: OK, Found: p}
	}
	if err := h.images(); err != nil {
		return Result{Status: Fail, Found: p + " cannot open the image store: " + err.Error(), Breaks: "images: rl pull, rl run IMAGE, rl images",
			Fix: "look at " + h.Store.GraphRoot() + " (rl --root elsewhere starts an empty store)", Manual: true}
	}
	return Result{Status: OK, Found: p + ", and it opened the image store " + h.Store.GraphRoot()}
}

// containersConf is the file containers/image reads: the user's
// ($XDG_CONFIG_HOME/containers/NAME) when it exists, else /etc/containers/NAME.
func containersConf(h *Host, name string) string {
	if !h.root() {
		dir := os.Getenv("XDG_CONFIG_HOME")
		if dir == "" {
			home, _ := os.UserHomeDir()
			dir = filepath.Join(home, ".config")
		}
		if p := filepath.Join(dir, "containers", name); exists(p) {
			return p
		}
	}
	return filepath.Join("/etc/containers", name)
}

// exists is true when path names a file (or a broken link).
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// checkRegistries: registries.conf names where short image names
// (busybox) are looked for.
func checkRegistries(h *Host) Result {
	p := containersConf(h, "registries.conf")
	b, err := os.ReadFile(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Result{Status: Warn, Found: "no registries.conf (" + p + ")", Breaks: "short image names (busybox); full ones work (docker.io/library/busybox)",
			Fix: "echo 'unqualified-search-registries = [\"docker.io\"]' > /etc/containers/registries.conf", Root: true}
	case err != nil:
		return Result{Status: Fail, Found: err.Error(), Breaks: "every pull: containers/image fails on an unreadable registries.conf", Fix: "chmod a+r " + p, Root: true}
	}
	return Result{Status: OK, Found: p + " (" + strconv.Itoa(len(b)) + " bytes)"}
}

// checkPolicy: policy.json says which images a pull accepts; without one
// rl accepts any, as skopeo --insecure-policy.
func checkPolicy(h *Host) Result {
	p := containersConf(h, "policy.json")
	b, err := os.ReadFile(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Result{Status: OK, Found: "no policy.json (" + p + "): rl accepts any image"}
	case err != nil:
		return Result{Status: Fail, Found: err.Error(), Breaks: "every pull", Fix: "chmod a+r " + p, Root: true}
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return Result{Status: Fail, Found: p + ": " + err.Error(), Breaks: "every pull: the signature policy does not parse", Fix: "repair " + p, Manual: true}
	}
	return Result{Status: OK, Found: p}
}

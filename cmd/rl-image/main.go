// Command rl-image is the helper that rl runs for image work: pulling
// images into its containers/storage store, listing them, and resolving an
// image to its layer directories and configuration for `rl run`. It links
// containers/image and containers/storage, which rl itself does not, so
// that starting a container pays for neither. It re-executes itself in a
// user namespace mapped with the caller's subordinate ids before it
// touches the store. It prints one JSON answer (spec.ImageAnswer) on
// stdout and progress on stderr. It dies with rl, and SIGTERM, SIGINT or
// SIGHUP cancel its work, which then leaves no temporary files
// (lifetime.go). It is installed beside rl and not meant to be run by
// hand.
//
// Usage: rl-image --root DIR --runroot DIR [--tls-verify=false] [-q]
// [--in-use ID,...] [-f] [--format F] [--mount-program PATH]
// [--max-layer-file N] [--min-free N]
// pull|images|resolve|inspect|rmi|tag|save|load|import|login|logout
// [REF|FILE|REGISTRY [REF|FILE]]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"go.podman.io/storage/pkg/reexec"
	"go.podman.io/storage/pkg/unshare"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/failure"
	"github.com/rl-containers/rl/rootless/image/backend"
	"github.com/rl-containers/rl/rootless/image/index"
	"github.com/rl-containers/rl/rootless/spec"
)

func main() {
	dieWithParent()
	if reexec.Init() {
		return
	}
	fl := flag.NewFlagSet("rl-image", flag.ContinueOnError)
	root := fl.String("root", "", "graph root")
	runRoot := fl.String("runroot", "", "run root")
	tlsVerify := fl.Bool("tls-verify", true, "verify TLS and require HTTPS")
	quiet := fl.Bool("q", false, "no progress output")
	inUse := fl.String("in-use", "", "comma-separated ids of images that containers use (rmi)")
	force := fl.Bool("f", false, "remove an image even if a container uses it (rmi)")
	format := fl.String("format", backend.DockerArchive, "archive format (save)")
	mountProgram := fl.String("mount-program", "", "fuse-overlayfs, for a kernel without overlayfs in a user namespace")
	maxLayerFile := fl.Int64("max-layer-file", 0, "the largest file a layer may unpack, in bytes (0: the default)")
	minFree := fl.Int64("min-free", 0, "the space a pull must leave free on the store's filesystem, in bytes (0: the default)")
	if err := fl.Parse(os.Args[1:]); err != nil || fl.NArg() < 1 || *root == "" || *runRoot == "" {
		fmt.Fprintln(os.Stderr, "rl-image: this program is run by rl; run rl instead")
		os.Exit(125)
	}
	// In the user namespace our uid is 0, and without XDG_RUNTIME_DIR
	// containers/image would read and write root's credentials
	// (/run/containers/0/auth.json): name the caller's own first.
	if uid := os.Getuid(); uid != 0 && os.Getenv("REGISTRY_AUTH_FILE") == "" && os.Getenv("XDG_RUNTIME_DIR") == "" {
		_ = os.Setenv("REGISTRY_AUTH_FILE", fmt.Sprintf("/run/containers/%d/auth.json", uid))
	}
	// Layer files must be extracted as the ids they have in the image,
	// which only a user namespace with the subordinate ranges allows.
	adopt()
	unshare.MaybeReexecUsingUserNamespace(false)
	// Here in the user namespace (or as root, which needs none), this
	// process does the work: its helpers must outlive it, and a signal
	// cancels the work rather than killing it half-way.
	adopt()
	ctx, interrupted := interruptible()

	var progress io.Writer = os.Stderr
	if *quiet {
		progress = io.Discard
	}
	op := operation{name: fl.Arg(0), ref: fl.Arg(1), arg: fl.Arg(2), progress: progress, force: *force, format: *format}
	if *inUse != "" {
		op.inUse = strings.Split(*inUse, ",")
	}
	limits := backend.Limits{MaxFile: *maxLayerFile, MinFree: *minFree}
	answer := op.run(ctx, backend.Options{GraphRoot: *root, RunRoot: *runRoot, TLSVerify: *tlsVerify, MountProgram: *mountProgram, Limits: limits})
	if sig := interrupted(); sig != nil && answer.Error != nil {
		answer.Error = failure.New(fmt.Errorf("%s interrupted by %s", op.name, unix.SignalName(sig.(unix.Signal))), failure.Cause(""))
	}
	if answer.Error == nil {
		op.updateIndex(*root, answer)
	}
	_ = json.NewEncoder(os.Stdout).Encode(answer)
	if answer.Error != nil {
		os.Exit(125)
	}
}

// updateIndex keeps rl's index of resolved images (rootless/image/index) true:
// a resolve adds its answer; anything that changes the store drops the
// index, which later resolves rebuild. A failure only costs speed.
func (op operation) updateIndex(graphRoot string, a spec.ImageAnswer) {
	switch op.name {
	case "resolve":
		idx := index.Read(graphRoot)
		idx[op.ref] = *a.Image
		_ = idx.Write(graphRoot)
	case "pull", "rmi", "tag", "untag", "load", "import":
		_ = index.Remove(graphRoot)
	}
}

// operation is one request from rl.
type operation struct {
	name, ref, arg string
	progress       io.Writer
	inUse          []string
	force          bool
	format         string
}

// run carries out the operation on the store and returns the answer for
// rl: a failure with its cause (see causeOf).
func (op operation) run(ctx context.Context, o backend.Options) (a spec.ImageAnswer) {
	s, err := backend.Open(o)
	if err != nil {
		return spec.ImageAnswer{Error: failure.New(err, causeOf(err))}
	}
	defer s.Close()
	switch op.name {
	case "pull":
		a.ID, err = s.Pull(ctx, op.ref, op.progress)
	case "images":
		a.Images, err = s.List()
	case "resolve":
		a.Image, err = s.Resolve(ctx, op.ref)
	case "inspect":
		a.Inspect, err = s.Inspect(ctx, op.ref)
	case "rmi":
		a.ID, err = s.Remove(op.ref, op.inUse, op.force)
	case "tag":
		err = s.Tag(op.ref, op.arg)
	case "untag":
		err = s.Untag(op.ref, op.arg)
	case "save":
		err = s.Save(ctx, op.ref, op.arg, op.format)
	case "import":
		a.ID, err = s.Import(ctx, op.ref, op.arg, op.progress)
	case "login":
		// The credentials come on stdin, user then password, never in argv.
		var user, password string
		if _, err = fmt.Fscanln(os.Stdin, &user); err == nil {
			_, err = fmt.Fscanln(os.Stdin, &password)
		}
		if err == nil {
			err = s.Login(ctx, op.ref, user, password)
		}
	case "logout":
		err = s.Logout(op.ref)
	case "load":
		a.Name, err = s.Load(ctx, op.ref, op.progress)
	default:
		err = fmt.Errorf("unknown operation %q", op.name)
	}
	if err != nil {
		return spec.ImageAnswer{Error: failure.New(err, causeOf(err))}
	}
	return a
}

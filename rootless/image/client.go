// Package image is the front end's client of rl-image, the helper that
// links containers/image and containers/storage (package
// rootless/image/backend), and the index of resolved images through which
// a container starts without running rl-image at all. rl itself stays
// small because every container start pays for what it links.
package image

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/rl-containers/rl/rootless/failure"
	"github.com/rl-containers/rl/rootless/image/index"
	"github.com/rl-containers/rl/rootless/launch"
	"github.com/rl-containers/rl/rootless/spec"
)

// ErrNoHelper is returned when rl-image is not installed beside rl.
var ErrNoHelper = errors.New("rl-image not found beside rl")

// ErrNotFound marks a resolve of an image the store does not have.
var ErrNotFound = errors.New("image not in the store")

// Pull policies of rl run --pull.
const (
	PullMissing = "missing"
	PullAlways  = "always"
	PullNever   = "never"
)

// Options say how rl-image reaches registries.
type Options struct {
	TLSVerify bool
	Quiet     bool
}

// Client runs rl-image on one image store.
type Client struct {
	GraphRoot, RunRoot string
	// MountProgram is the store's mount_program (fuse-overlayfs), if any.
	MountProgram string
	// MaxLayerFile and MinFree bound a pull (0: rl-image's defaults).
	MaxLayerFile, MinFree int64
}

// request is one run of rl-image: the operation's options beyond the
// registry's.
type request struct {
	Options
	inUse  []string // rmi: the ids of images that containers use
	force  bool     // rmi: remove those anyway
	format string   // save: the archive format
	stdin  string   // what rl-image reads: login's credentials
}

// run runs rl-image's op and returns its answer. Progress goes to our
// stderr.
func (c Client) run(ctx context.Context, r request, op string, args ...string) (*spec.ImageAnswer, error) {
	path, err := launch.Helper("rl-image", ErrNoHelper)
	if err != nil {
		return nil, err
	}
	argv := []string{"--root", c.GraphRoot, "--runroot", c.RunRoot, fmt.Sprintf("--tls-verify=%t", r.TLSVerify)}
	if r.Quiet {
		argv = append(argv, "-q")
	}
	if c.MaxLayerFile > 0 || c.MinFree > 0 {
		argv = append(argv, fmt.Sprintf("--max-layer-file=%d", c.MaxLayerFile), fmt.Sprintf("--min-free=%d", c.MinFree))
	}
	if c.MountProgram != "" {
		argv = append(argv, "--mount-program", c.MountProgram)
	}
	if len(r.inUse) > 0 {
		argv = append(argv, "--in-use", strings.Join(r.inUse, ","))
	}
	if r.force {
		argv = append(argv, "-f")
	}
	if r.format != "" {
		argv = append(argv, "--format", r.format)
	}
	cmd := exec.CommandContext(ctx, path, append(append(argv, op), args...)...)
	cmd.Stderr = os.Stderr
	cmd.Stdin = strings.NewReader(r.stdin)
	// rl-image dies with rl (SIGTERM, which lets it clean up): a pull
	// whose rl was killed stops instead of running on under PID 1, with
	// the check of cmd/rl-image's dieWithParent for a death before that.
	cmd.Env = append(os.Environ(), parentEnv+"="+strconv.Itoa(os.Getpid()))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	// The parent death signal follows the thread that forked, which must
	// not exit meanwhile.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var out bytes.Buffer
	cmd.Stdout = &out
	sig, runErr := runForwarding(cmd)
	if sig != nil {
		// rl-image has cancelled its work and removed its temporary
		// files; what it answered is of no more interest.
		return nil, &launch.ExitError{Code: 128 + int(sig.(syscall.Signal)), Err: fmt.Errorf("%s interrupted", op)}
	}
	a := &spec.ImageAnswer{}
	if err := json.Unmarshal(out.Bytes(), a); err != nil {
		return nil, fmt.Errorf("running rl-image %s: %w (no answer: %w)", op, runErr, err)
	}
	if err := answerError(a); err != nil {
		return nil, err
	}
	return a, nil
}

// parentEnv is cmd/rl-image's: the pid of the process that started it.
const parentEnv = "_RL_IMAGE_PARENT"

// interrupts are the signals that, while rl-image runs, rl forwards to it
// instead of dying of them: rl-image then cancels its work, removes its
// temporary files and exits, and rl reports one line. (Ctrl-C also
// reaches rl-image from the terminal; rl-image keeps catching the signal
// until it is done.)
var interrupts = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// runForwarding runs cmd, forwarding the interrupts to it, and returns
// the first interrupt that came (nil if none) and cmd's error.
func runForwarding(cmd *exec.Cmd) (os.Signal, error) {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, interrupts...)
	defer signal.Stop(ch)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var first os.Signal
	for {
		select {
		case s := <-ch:
			if first == nil {
				first = s
			}
			_ = cmd.Process.Signal(s)
		case err := <-done:
			return first, err
		}
	}
}

// answerError is the error of rl-image's answer a, or nil: rl-image's
// message, on which errors.Is finds its errno and its cause
// (failure.DiskFull, ...) and, for an image the store does not have,
// ErrNotFound.
func answerError(a *spec.ImageAnswer) error {
	switch {
	case a.Error == nil:
		return nil
	case errors.Is(a.Error, failure.NotFound):
		return fmt.Errorf("%w: %w", ErrNotFound, a.Error)
	}
	return a.Error
}

// verified is a request to a registry with TLS verified, for operations
// that reach no registry.
var verified = request{Options: Options{TLSVerify: true}}

// Pull pulls ref into the store and returns the image id.
func (c Client) Pull(ctx context.Context, ref string, o Options) (string, error) {
	a, err := c.run(ctx, request{Options: o}, "pull", ref)
	if err != nil {
		return "", err
	}
	return a.ID, nil
}

// List lists the images in the store.
func (c Client) List(ctx context.Context) ([]spec.ImageSummary, error) {
	a, err := c.run(ctx, verified, "images")
	if err != nil {
		return nil, err
	}
	return a.Images, nil
}

// Resolve finds ref in the store, pulling it as the policy says. An image
// resolved before comes from rl-image's index without starting rl-image.
func (c Client) Resolve(ctx context.Context, ref, policy string, o Options) (*spec.Image, error) {
	if policy != PullAlways {
		if img, ok := index.Read(c.GraphRoot).Lookup(ref); ok {
			return img, nil
		}
	}
	if policy == PullAlways {
		if _, err := c.Pull(ctx, ref, o); err != nil {
			return nil, err
		}
	}
	a, err := c.run(ctx, request{Options: o}, "resolve", ref)
	if errors.Is(err, ErrNotFound) && policy == PullMissing {
		if _, err := c.Pull(ctx, ref, o); err != nil {
			return nil, err
		}
		a, err = c.run(ctx, request{Options: o}, "resolve", ref)
	}
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w; pull it (rl pull %s) or run with --pull=missing", err, ref)
	}
	if err != nil {
		return nil, err
	}
	return a.Image, nil
}

// Remove removes each of refs from the store, refusing an image that a
// container uses (inUse: their image ids) unless force. It returns the
// ids removed.
func (c Client) Remove(ctx context.Context, refs, inUse []string, force bool) ([]string, error) {
	var ids []string
	for _, ref := range refs {
		a, err := c.run(ctx, request{Options: verified.Options, inUse: inUse, force: force}, "rmi", ref)
		if err != nil {
			return ids, err
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
}

// Tag gives the image src the additional name dst.
func (c Client) Tag(ctx context.Context, src, dst string) error {
	_, err := c.run(ctx, verified, "tag", src, dst)
	return err
}

// Untag removes names from the image ref, or all of them when none are
// given; the image stays.
func (c Client) Untag(ctx context.Context, ref string, names []string) error {
	if len(names) == 0 {
		_, err := c.run(ctx, verified, "untag", ref)
		return err
	}
	for _, n := range names {
		if _, err := c.run(ctx, verified, "untag", ref, n); err != nil {
			return err
		}
	}
	return nil
}

// Inspect returns the store's record of ref.
func (c Client) Inspect(ctx context.Context, ref string) (*spec.ImageInspect, error) {
	a, err := c.run(ctx, verified, "inspect", ref)
	if err != nil {
		return nil, err
	}
	return a.Inspect, nil
}

// Save writes ref to the archive file path in format (docker-archive or
// oci-archive).
func (c Client) Save(ctx context.Context, ref, path, format string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	_, err = c.run(ctx, request{Options: verified.Options, format: format}, "save", ref, abs)
	return err
}

// Load reads an image archive into the store and returns the image's
// name.
func (c Client) Load(ctx context.Context, path string, o Options) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	a, err := c.run(ctx, request{Options: o}, "load", abs)
	if err != nil {
		return "", err
	}
	return a.Name, nil
}

// Import makes the one-layer image ref from the root filesystem tarball
// path and returns its id.
func (c Client) Import(ctx context.Context, path, ref string, o Options) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	a, err := c.run(ctx, request{Options: o}, "import", abs, ref)
	if err != nil {
		return "", err
	}
	return a.ID, nil
}

// Login stores credentials for registry after checking them there.
func (c Client) Login(ctx context.Context, registry, username, password string, o Options) error {
	if username == "" || password == "" || strings.ContainsAny(username+password, " \t\n") {
		return errors.New("logging in: give a user name and a password without spaces (-u USER --password-stdin)")
	}
	_, err := c.run(ctx, request{Options: o, stdin: username + "\n" + password + "\n"}, "login", registry)
	return err
}

// Logout removes the stored credentials for registry.
func (c Client) Logout(ctx context.Context, registry string) error {
	_, err := c.run(ctx, verified, "logout", registry)
	return err
}

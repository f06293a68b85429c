package rootless

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rl-containers/rl/rootless/spec"
)

// Image store operations run in rl-image, a helper installed beside rl that
// links containers/image and containers/storage; rl itself stays small
// because every container start pays for what it links.

// ErrNoImageHelper is returned when rl-image is not installed beside rl.
var ErrNoImageHelper = errors.New("rl-image not found beside rl")

// errImageNotFound marks a resolve of an image the store does not have.
var errImageNotFound = errors.New("image not in the store")

// Pull policies of rl run --pull.
const (
	PullMissing = "missing"
	PullAlways  = "always"
	PullNever   = "never"
)

// ImageOptions say how rl-image reaches registries.
type ImageOptions struct {
	TLSVerify bool
	Quiet     bool
	// inUse and force are rmi's: the ids of images that containers use,
	// and whether to remove those anyway.
	inUse  []string
	force  bool
	format string
	stdin  string // what rl-image reads: login's credentials
}

// image runs rl-image's op on the store and returns its answer. Progress
// goes to our stderr.
func (s Store) image(o ImageOptions, op string, args ...string) (*spec.ImageAnswer, error) {
	path, err := helperPath("rl-image", ErrNoImageHelper)
	if err != nil {
		return nil, err
	}
	argv := []string{"--root", s.graphRoot(), "--runroot", filepath.Join(s.RunRoot, "storage"),
		fmt.Sprintf("--tls-verify=%t", o.TLSVerify)}
	if o.Quiet {
		argv = append(argv, "-q")
	}
	if s.MountProgram != "" {
		argv = append(argv, "--mount-program", s.MountProgram)
	}
	if len(o.inUse) > 0 {
		argv = append(argv, "--in-use", strings.Join(o.inUse, ","))
	}
	if o.force {
		argv = append(argv, "-f")
	}
	if o.format != "" {
		argv = append(argv, "--format", o.format)
	}
	cmd := exec.Command(path, append(append(argv, op), args...)...)
	cmd.Stderr = os.Stderr
	cmd.Stdin = strings.NewReader(o.stdin)
	out, runErr := cmd.Output()
	a := &spec.ImageAnswer{}
	if err := json.Unmarshal(out, a); err != nil {
		return nil, fmt.Errorf("running rl-image %s: %w (no answer: %v)", op, runErr, err)
	}
	if a.NotFound {
		return nil, fmt.Errorf("%w: %s", errImageNotFound, a.Error)
	}
	if a.Error != "" {
		return nil, errors.New(a.Error)
	}
	return a, nil
}

// Pull pulls ref into the store and returns the image id.
func Pull(s Store, ref string, o ImageOptions) (string, error) {
	a, err := s.image(o, "pull", ref)
	if err != nil {
		return "", err
	}
	return a.ID, nil
}

// Images lists the images in the store.
func Images(s Store) ([]spec.ImageSummary, error) {
	a, err := s.image(ImageOptions{TLSVerify: true}, "images")
	if err != nil {
		return nil, err
	}
	return a.Images, nil
}

// resolveImage finds ref in the store, pulling it as the policy says. An
// image resolved before comes from rl-image's index without starting
// rl-image.
func resolveImage(s Store, ref, policy string, o ImageOptions) (*spec.Image, error) {
	if policy != PullAlways {
		if img, ok := spec.ReadImageIndex(s.graphRoot()).Lookup(ref); ok {
			return img, nil
		}
	}
	if policy == PullAlways {
		if _, err := Pull(s, ref, o); err != nil {
			return nil, err
		}
	}
	a, err := s.image(o, "resolve", ref)
	if errors.Is(err, errImageNotFound) && policy == PullMissing {
		if _, err := Pull(s, ref, o); err != nil {
			return nil, err
		}
		a, err = s.image(o, "resolve", ref)
	}
	if errors.Is(err, errImageNotFound) {
		return nil, fmt.Errorf("%w; pull it (rl pull %s) or run with --pull=missing", err, ref)
	}
	if err != nil {
		return nil, err
	}
	return a.Image, nil
}

// RemoveImages removes each of refs from the store, refusing an image that
// a container uses unless force. It returns the ids removed.
func RemoveImages(s Store, refs []string, force bool) ([]string, error) {
	inUse, err := s.imagesInUse()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, ref := range refs {
		a, err := s.image(ImageOptions{TLSVerify: true, inUse: inUse, force: force}, "rmi", ref)
		if err != nil {
			return ids, err
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
}

// imagesInUse returns the image ids of the containers in the store.
func (s Store) imagesInUse() ([]string, error) {
	states, err := filepath.Glob(filepath.Join(s.Root, "containers", "*", "state.json"))
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, p := range states {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // removed meanwhile
		}
		var st State
		if json.Unmarshal(b, &st) == nil && st.ImageID != "" {
			ids = append(ids, st.ImageID)
		}
	}
	return ids, nil
}

// TagImage gives the image src the additional name dst.
func TagImage(s Store, src, dst string) error {
	_, err := s.image(ImageOptions{TLSVerify: true}, "tag", src, dst)
	return err
}

// InspectImage returns the store's record of ref.
func InspectImage(s Store, ref string) (*spec.ImageInspect, error) {
	a, err := s.image(ImageOptions{TLSVerify: true}, "inspect", ref)
	if err != nil {
		return nil, err
	}
	return a.Inspect, nil
}

// SaveImage writes ref to the archive file path in format (docker-archive
// or oci-archive).
func SaveImage(s Store, ref, path, format string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	_, err = s.image(ImageOptions{TLSVerify: true, format: format}, "save", ref, abs)
	return err
}

// LoadImage reads an image archive into the store and returns the image's
// name.
func LoadImage(s Store, path string, o ImageOptions) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	a, err := s.image(o, "load", abs)
	if err != nil {
		return "", err
	}
	return a.Name, nil
}

// ImportImage makes the one-layer image ref from the root filesystem
// tarball path and returns its id.
func ImportImage(s Store, path, ref string, o ImageOptions) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	a, err := s.image(o, "import", abs, ref)
	if err != nil {
		return "", err
	}
	return a.ID, nil
}

// graphRoot is the containers/storage graph root inside the store.
func (s Store) graphRoot() string { return filepath.Join(s.Root, "storage") }

// Login stores credentials for registry after checking them there.
func Login(s Store, registry, username, password string, o ImageOptions) error {
	if username == "" || password == "" || strings.ContainsAny(username+password, " \t\n") {
		return errors.New("logging in: give a user name and a password without spaces (-u USER --password-stdin)")
	}
	o.stdin = username + "\n" + password + "\n"
	_, err := s.image(o, "login", registry)
	return err
}

// Logout removes the stored credentials for registry.
func Logout(s Store, registry string) error {
	_, err := s.image(ImageOptions{TLSVerify: true}, "logout", registry)
	return err
}

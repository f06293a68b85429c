// Package backend keeps rl's images: it pulls them from registries with
// containers/image into containers/storage (overlay driver) and tells the
// front end which layer directories and configuration an image has. It is
// linked only into rl-image, a helper that the front end runs for image
// work, because these libraries cost several milliseconds of start-up that
// a container start must not pay. rl-image runs in a user namespace mapped
// like the containers', so that layer files owned by uid N in an image
// belong to the matching subordinate uid on the host.
package backend

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/docker"
	dockerarchive "go.podman.io/image/v5/docker/archive"
	"go.podman.io/image/v5/docker/reference"
	ociarchive "go.podman.io/image/v5/oci/archive"
	"go.podman.io/image/v5/pkg/docker/config"
	"go.podman.io/image/v5/pkg/shortnames"
	"go.podman.io/image/v5/signature"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/tarball"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage"

	"github.com/rl-containers/rl/rootless/spec"
)

// Options locate the store and say how to reach registries.
type Options struct {
	GraphRoot string
	RunRoot   string
	// TLSVerify false allows plain HTTP and unverified TLS, for a local
	// registry.
	TLSVerify bool
	// MountProgram is fuse-overlayfs when rl is configured to use it;
	// storage then skips its probe of the kernel's overlayfs.
	MountProgram string
	// Limits bound what a pull, load or import may write (a zero field:
	// its default, see withDefaults).
	Limits Limits
}

// Store is an open image store.
type Store struct {
	store  storage.Store
	sys    *types.SystemContext
	limits Limits
}

// Open opens (creating if needed) the store.
func Open(o Options) (*Store, error) {
	opts := storage.StoreOptions{GraphRoot: o.GraphRoot, RunRoot: o.RunRoot, GraphDriverName: "overlay"}
	if o.MountProgram != "" {
		opts.GraphDriverOptions = []string{"overlay.mount_program=" + o.MountProgram}
	}
	s, err := storage.GetStore(opts)
	if err != nil {
		return nil, fmt.Errorf("opening the image store in %s: %w", o.GraphRoot, err)
	}
	// REGISTRY_AUTH_FILE names the credentials file, as for podman and
	// skopeo; without it containers/image uses its defaults
	// ($XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json).
	// The blob info cache lives in the store, as podman keeps it: by
	// default containers/image writes it to ~/.local/share/containers/cache
	// (/var/lib/containers/cache as root), outside rl's --root.
	sys := &types.SystemContext{
		AuthFilePath:     os.Getenv("REGISTRY_AUTH_FILE"),
		BlobInfoCacheDir: filepath.Join(o.GraphRoot, "cache"),
	}
	if !o.TLSVerify {
		sys.DockerInsecureSkipTLSVerify = types.OptionalBoolTrue
	}
	return &Store{store: s, sys: sys, limits: o.Limits.withDefaults(o.GraphRoot)}, nil
}

// Close releases the store.
func (s *Store) Close() { _, _ = s.store.Shutdown(false) }

// Normalize turns an image reference into its full name the docker way,
// adding the default registry and tag. Pull and the store lookups try a
// short name through registries.conf first.
func Normalize(ref string) (reference.Named, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return nil, fmt.Errorf("invalid image reference %q: %w", ref, err)
	}
	return reference.TagNameOnly(named), nil
}

// Pull copies the image ref from its registry into the store and returns
// the image's id. A short name ("alpine") is resolved as podman resolves
// it, through registries.conf (aliases, unqualified-search-registries,
// short-name-mode), trying each candidate in turn. Progress lines go to
// progress.
func (s *Store) Pull(ctx context.Context, ref string, progress io.Writer) (string, error) {
	if !shortnames.IsShortName(ref) {
		named, err := Normalize(ref)
		if err != nil {
			return "", err
		}
		return s.pullNamed(ctx, named, progress)
	}
	resolved, err := shortnames.Resolve(s.sys, ref)
	if err != nil {
		return "", err
	}
	var errs []error
	for _, c := range resolved.PullCandidates {
		id, err := s.pullNamed(ctx, c.Value, progress)
		if err == nil {
			_ = c.Record()
			return id, nil
		}
		errs = append(errs, err)
	}
	return "", resolved.FormatPullErrors(errs)
}

// pullNamed pulls one fully-qualified reference.
func (s *Store) pullNamed(ctx context.Context, named reference.Named, progress io.Writer) (string, error) {
	src, err := docker.NewReference(named)
	if err != nil {
		return "", err
	}
	dst, err := istorage.Transport.ParseStoreReference(s.store, named.String())
	if err != nil {
		return "", err
	}
	if err := s.copyIn(ctx, dst, src, progress); err != nil {
		return "", fmt.Errorf("pulling %s: %w", named, err)
	}
	img, err := s.store.Image(named.String())
	if err != nil {
		return "", fmt.Errorf("finding %s after the pull: %w", named, err)
	}
	return img.ID, nil
}

// policy is the user's signature policy (policy.json), or, where the
// machine has none, one that accepts any image, as skopeo's
// --insecure-policy.
func (s *Store) policy() (*signature.PolicyContext, error) {
	p, err := signature.DefaultPolicy(s.sys)
	if errors.Is(err, fs.ErrNotExist) {
		p = &signature.Policy{Default: signature.PolicyRequirements{signature.NewPRInsecureAcceptAnything()}}
	} else if err != nil {
		return nil, fmt.Errorf("reading the signature policy: %w", err)
	}
	return signature.NewPolicyContext(p)
}

// List returns the images in the store.
func (s *Store) List() ([]spec.ImageSummary, error) {
	imgs, err := s.store.Images()
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	out := make([]spec.ImageSummary, 0, len(imgs))
	for _, img := range imgs {
		out = append(out, spec.ImageSummary{ID: img.ID, Names: img.Names, Created: img.Created, Size: s.imageSize(&img)})
	}
	return out, nil
}

// ErrNotFound is returned by Resolve for an image that is not in the store.
var ErrNotFound = errors.New("image not known")

// Resolve finds the image ref in the store.
func (s *Store) Resolve(ctx context.Context, ref string) (*spec.Image, error) {
	img, named, err := s.image(ref)
	if err != nil {
		return nil, err
	}
	driver, err := s.store.GraphDriver()
	if err != nil {
		return nil, err
	}
	md, err := driver.Metadata(img.TopLayer)
	if err != nil {
		return nil, fmt.Errorf("finding the layers of %s: %w", label(img, named), err)
	}
	layers := []string{md["UpperDir"]}
	if lower := md["LowerDir"]; lower != "" {
		layers = append(layers, strings.Split(lower, ":")...)
	}
	oci, err := s.config(ctx, img, named)
	if err != nil {
		return nil, err
	}
	return &spec.Image{ID: img.ID, Name: resolvedName(ref, img, named), Layers: layers, Config: imageConfig(oci.Config)}, nil
}

// imageConfig is the part of an image's OCI configuration that rl run uses.
func imageConfig(c imgspecv1.ImageConfig) spec.ImageConfig {
	return spec.ImageConfig{
		Entrypoint: c.Entrypoint, Cmd: c.Cmd, Env: c.Env, WorkingDir: c.WorkingDir, User: c.User,
		ExposedPorts: slices.Sorted(maps.Keys(c.ExposedPorts)), StopSignal: c.StopSignal,
		Labels: c.Labels,
	}
}

// ErrInUse is returned by Remove for an image that a container uses.
var ErrInUse = errors.New("image is in use by a container")

// Remove deletes the image ref and the layers no other image needs, and
// returns its id. A name of an image that has others only loses that name
// (and the returned id is ""); an id removes the image with all its names,
// as podman does. An image whose id is in
// inUse is refused unless force.
func (s *Store) Remove(ref string, inUse []string, force bool) (string, error) {
	img, named, err := s.image(ref)
	if err != nil {
		return "", err
	}
	byID := strings.HasPrefix(img.ID, ref)
	if !byID && len(img.Names) > 1 && slices.Contains(img.Names, named.String()) {
		return "", s.store.RemoveNames(img.ID, []string{named.String()})
	}
	if !force && slices.Contains(inUse, img.ID) {
		return "", fmt.Errorf("%w: %s (remove the container first, or use -f)", ErrInUse, label(img, named))
	}
	if _, err := s.store.DeleteImage(img.ID, true); err != nil {
		return "", fmt.Errorf("removing %s: %w", label(img, named), err)
	}
	return img.ID, nil
}

// Tag gives the image src the additional name dst.
func (s *Store) Tag(src, dst string) error {
	img, _, err := s.image(src)
	if err != nil {
		return err
	}
	named, err := Normalize(dst)
	if err != nil {
		return err
	}
	return s.store.AddNames(img.ID, []string{named.String()})
}

// Untag removes the name from the image ref, or all its names when name
// is "": the image stays, known by its id (podman's untag).
func (s *Store) Untag(ref, name string) error {
	img, _, err := s.image(ref)
	if err != nil {
		return err
	}
	names := img.Names
	if name != "" {
		named, err := Normalize(name)
		if err != nil {
			return err
		}
		if !slices.Contains(img.Names, named.String()) {
			return fmt.Errorf("%s: tag not known", named)
		}
		names = []string{named.String()}
	}
	return s.store.RemoveNames(img.ID, names)
}

// Inspect returns the image ref's record: id, names, digest, size and its
// whole OCI configuration.
func (s *Store) Inspect(ctx context.Context, ref string) (*spec.ImageInspect, error) {
	img, named, err := s.image(ref)
	if err != nil {
		return nil, err
	}
	oci, err := s.config(ctx, img, named)
	if err != nil {
		return nil, err
	}
	return &spec.ImageInspect{ID: img.ID, Names: img.Names, Digest: img.Digest.String(), Created: img.Created, Size: s.imageSize(img), Config: oci}, nil
}

// image finds ref in the store, by name or by (a prefix of) its id.
func (s *Store) image(ref string) (*storage.Image, reference.Named, error) {
	if img, err := s.store.Image(ref); err == nil {
		if len(img.Names) == 0 {
			// Untagged: known by its id alone, and named nil.
			return img, nil, nil
		}
		named, err := Normalize(img.Names[0])
		return img, named, err
	}
	// A short name is looked up as podman does: aliases, then each
	// unqualified-search registry, then localhost.
	if shortnames.IsShortName(ref) {
		if candidates, err := shortnames.ResolveLocally(s.sys, ref); err == nil {
			for _, named := range candidates {
				if img, err := s.store.Image(named.String()); err == nil {
					return img, named, nil
				}
			}
		}
	}
	named, err := Normalize(ref)
	if err != nil {
		return nil, nil, err
	}
	img, err := s.store.Image(named.String())
	if errors.Is(err, storage.ErrImageUnknown) {
		return nil, nil, fmt.Errorf("%w: %s", ErrNotFound, named)
	}
	return img, named, err
}

// label names an image in messages: by named, or by its short id when it
// has no name.
func label(img *storage.Image, named reference.Named) string {
	if named == nil {
		return img.ID[:12]
	}
	return named.String()
}

// Archive formats of rl save and rl load.
const (
	DockerArchive = "docker-archive"
	OCIArchive    = "oci-archive"
)

var archiveTransports = map[string]types.ImageTransport{
	DockerArchive: dockerarchive.Transport,
	OCIArchive:    ociarchive.Transport,
}

// Save writes the image ref to the file path as an archive of format
// (docker-archive or oci-archive) that docker load, podman load and rl load
// read.
func (s *Store) Save(ctx context.Context, ref, path, format string) error {
	img, named, err := s.image(ref)
	if err != nil {
		return err
	}
	if archiveTransports[format] == nil {
		return fmt.Errorf("invalid --format %q: use %s or %s", format, DockerArchive, OCIArchive)
	}
	src, err := istorage.Transport.NewStoreReference(s.store, named, img.ID)
	if err != nil {
		return err
	}
	arc := path
	if named != nil {
		arc += ":" + named.String()
	}
	dst, err := archiveTransports[format].ParseReference(arc)
	if err != nil {
		return fmt.Errorf("saving to %s: %w", path, err)
	}
	return s.copy(ctx, dst, src, io.Discard)
}

// Load reads an archive (docker-archive or oci-archive, tried in that
// order) into the store, under the name the archive gives its image, and
// returns that name.
func (s *Store) Load(ctx context.Context, path string, progress io.Writer) (string, error) {
	var errs []string
	for _, format := range []string{DockerArchive, OCIArchive} {
		src, err := archiveTransports[format].ParseReference(path)
		if err != nil {
			return "", fmt.Errorf("loading %s: %w", path, err)
		}
		name, err := archiveName(ctx, src, s.sys)
		if err != nil {
			errs = append(errs, fmt.Sprintf("as %s: %v", format, err))
			continue
		}
		dst, err := istorage.Transport.ParseStoreReference(s.store, name)
		if err != nil {
			return "", err
		}
		return name, s.copyIn(ctx, dst, src, progress)
	}
	return "", fmt.Errorf("loading %s: not a docker or OCI archive (%s)", path, strings.Join(errs, "; "))
}

// archiveName is the name an archive gives its image: a docker archive's
// first repo tag, an OCI archive's ref.name annotation when that is a full
// reference (not a bare tag), or else a name made from the manifest's
// digest.
func archiveName(ctx context.Context, src types.ImageReference, sys *types.SystemContext) (string, error) {
	switch src.Transport() {
	case dockerarchive.Transport:
		r, err := dockerarchive.NewReader(sys, src.StringWithinTransport())
		if err != nil {
			return "", err
		}
		defer r.Close()
		images, err := r.List()
		if err != nil {
			return "", err
		}
		for _, refs := range images {
			for _, ref := range refs {
				if named := ref.DockerReference(); named != nil {
					return named.String(), nil
				}
			}
		}
	case ociarchive.Transport:
		desc, err := ociarchive.LoadManifestDescriptorWithContext(sys, src)
		if err != nil {
			return "", err
		}
		if name := desc.Annotations[imgspecv1.AnnotationRefName]; strings.ContainsAny(name, "/:") {
			if named, err := Normalize(name); err == nil {
				return named.String(), nil
			}
		}
	}
	img, err := src.NewImageSource(ctx, sys)
	if err != nil {
		return "", err
	}
	defer img.Close()
	manifest, _, err := img.GetManifest(ctx, nil)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("localhost/loaded:%x", sha256.Sum256(manifest))[:len("localhost/loaded:")+12], nil
}

// copy copies an image between two references under the user's policy.
func (s *Store) copy(ctx context.Context, dst, src types.ImageReference, progress io.Writer) error {
	policy, err := s.policy()
	if err != nil {
		return err
	}
	defer policy.Destroy()
	_, err = copy.Image(ctx, policy, dst, src, &copy.Options{SourceCtx: s.sys, DestinationCtx: s.sys, ReportWriter: progress})
	return err
}

// copyIn copies an image into the store, all or nothing.
func (s *Store) copyIn(ctx context.Context, dst, src types.ImageReference, progress io.Writer) error {
	return s.atomically(func() error {
		return guarded(ctx, s.store.GraphRoot(), s.limits, func(ctx context.Context) error {
			return s.copy(ctx, dst, depthChecked(src), progress)
		})
	})
}

// Import makes a one-layer image named ref from a root filesystem tarball
// (plain or compressed), with a configuration that runs "sh" on the
// caller's platform, and returns the image's id.
func (s *Store) Import(ctx context.Context, path, ref string, progress io.Writer) (string, error) {
	named, err := Normalize(ref)
	if err != nil {
		return "", err
	}
	src, err := tarball.NewReference([]string{path}, nil)
	if err != nil {
		return "", fmt.Errorf("importing %s: %w", path, err)
	}
	if u, ok := src.(tarball.ConfigUpdater); ok {
		cfg := imgspecv1.Image{Config: imgspecv1.ImageConfig{
			Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			Cmd: []string{"sh"},
		}}
		cfg.OS, cfg.Architecture = runtime.GOOS, runtime.GOARCH
		if err := u.ConfigUpdate(cfg, nil); err != nil {
			return "", err
		}
	}
	dst, err := istorage.Transport.ParseStoreReference(s.store, named.String())
	if err != nil {
		return "", err
	}
	if err := s.copyIn(ctx, dst, src, progress); err != nil {
		return "", fmt.Errorf("importing %s: %w", path, err)
	}
	img, _, err := s.image(named.String())
	if err != nil {
		return "", err
	}
	return img.ID, nil
}

// Login checks the credentials against the registry and stores them in
// the credentials file.
func (s *Store) Login(ctx context.Context, registry, username, password string) error {
	if err := docker.CheckAuth(ctx, s.sys, username, password, registry); err != nil {
		return fmt.Errorf("logging in to %s: %w", registry, err)
	}
	if _, err := config.SetCredentials(s.sys, registry, username, password); err != nil {
		return fmt.Errorf("storing the credentials for %s: %w", registry, err)
	}
	return nil
}

// Logout removes the stored credentials for the registry.
func (s *Store) Logout(registry string) error {
	if err := config.RemoveAuthentication(s.sys, registry); err != nil {
		return fmt.Errorf("logging out of %s: %w", registry, err)
	}
	return nil
}

// config reads the OCI configuration of the stored image img.
func (s *Store) config(ctx context.Context, img *storage.Image, named reference.Named) (*imgspecv1.Image, error) {
	sref, err := istorage.Transport.NewStoreReference(s.store, named, img.ID)
	if err != nil {
		return nil, err
	}
	src, err := sref.NewImage(ctx, s.sys)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", label(img, named), err)
	}
	defer src.Close()
	oci, err := src.OCIConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the configuration of %s: %w", label(img, named), err)
	}
	return oci, nil
}

// imageSize is the disk space the image's layers take: what their files
// hold, counted in blocks, so that a layer whose sparse file storage
// wrote out in full counts all it wrote (storage's own sizes are those of
// the layers' tar streams).
func (s *Store) imageSize(img *storage.Image) int64 {
	var total int64
	for id := img.TopLayer; id != ""; {
		l, err := s.store.Layer(id)
		if err != nil {
			break
		}
		total += diskUsage(filepath.Join(s.store.GraphRoot(), s.store.GraphDriverName(), id, "diff"))
		id = l.Parent
	}
	if total == 0 {
		total, _ = s.store.ImageSize(img.ID)
	}
	return total
}

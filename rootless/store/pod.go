package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/rl-containers/rl/cgroupsd"
)

// Pod is a pod's record, pod.json in Root/pods/ID.
type Pod struct {
	ID       string    `json:"Id"`
	Name     string    `json:"Name"`
	Created  time.Time `json:"Created"`
	Hostname string    `json:"Hostname"`
	InfraID  string    `json:"InfraId"`
	// Labels are the pod's labels (pod create --label).
	Labels map[string]string `json:"Labels,omitempty"`
	// Network is the pod's network mode (slirp4netns, pasta, none, host).
	Network string `json:"Network,omitempty"`
	// ExitPolicy is what the pod does when its last container exits:
	// ExitPolicyStop, or "" (podman's continue) to keep running.
	ExitPolicy string `json:"ExitPolicy,omitempty"`
	// QOSClass is a played pod's Kubernetes QoS class (rl kube play).
	QOSClass string `json:"QosClass,omitempty"`
	// Cgroup is the pod's own cgroup, its containers' parent, when rl
	// kube play made one.
	Cgroup *cgroupsd.PodCgroup `json:"Cgroup,omitempty"`
}

// Pod exit policies (pod create --exit-policy).
const (
	ExitPolicyContinue = "continue"
	ExitPolicyStop     = "stop"
)

// ErrNoPod is returned for a name or id that names no pod.
var ErrNoPod = errors.New("no such pod")

func (s Store) podDir(id string) string { return filepath.Join(s.Root, "pods", id) }

// PodDir is the directory of the pod id's record, which goes with it.
func (s Store) PodDir(id string) string { return s.podDir(id) }

func (s Store) podNames() string               { return filepath.Join(s.Root, "pods", "names") }
func (s Store) podNameLink(name string) string { return filepath.Join(s.podNames(), name) }

// CreatePod reserves p's name (its id's first 12 digits without one) and
// makes its directory; the caller saves it (SavePod) once its infra
// container exists.
func (s Store) CreatePod(p *Pod) error {
	if p.Name == "" {
		p.Name = p.ID[:12]
	}
	if err := os.MkdirAll(s.podNames(), 0o700); err != nil {
		return fmt.Errorf("creating the pod store: %w", err)
	}
	if err := os.Symlink(p.ID, s.podNameLink(p.Name)); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("the pod name %q is already in use: choose another name, or remove that pod", p.Name)
		}
		return fmt.Errorf("reserving the pod name: %w", err)
	}
	if err := os.MkdirAll(s.podDir(p.ID), 0o700); err != nil {
		os.Remove(s.podNameLink(p.Name))
		return fmt.Errorf("creating the pod: %w", err)
	}
	return nil
}

// SavePod writes p's record.
func (s Store) SavePod(p Pod) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return WriteAtomic(filepath.Join(s.podDir(p.ID), "pod.json"), b)
}

// RemovePod removes p's record and name.
func (s Store) RemovePod(p Pod) {
	_ = os.RemoveAll(s.podDir(p.ID))
	_ = os.RemoveAll(filepath.Dir(s.PodShm(p.ID)))
	if target, _ := os.Readlink(s.podNameLink(p.Name)); target == p.ID {
		_ = os.Remove(s.podNameLink(p.Name))
	}
}

// PodShm is the directory that a pod's containers share as /dev/shm, as
// they share their IPC namespace (podman's pod shm): in the run root,
// which is a tmpfs on a system with $XDG_RUNTIME_DIR.
func (s Store) PodShm(id string) string { return filepath.Join(s.RunRoot, "pods", id, "shm") }

// MakePodShm makes the pod's shm directory (PodShm), mode 1777 as
// /dev/shm's, once.
func (s Store) MakePodShm(id string) (string, error) {
	dir := s.PodShm(id)
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return "", fmt.Errorf("making the pod's /dev/shm: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("making the pod's /dev/shm: %w", err)
	}
	if err := os.Chmod(dir, 0o777|fs.ModeSticky); err != nil {
		return "", fmt.Errorf("making the pod's /dev/shm: %w", err)
	}
	return dir, nil
}

// LoadPod finds the pod ref: a name, an id or a unique id prefix.
func (s Store) LoadPod(ref string) (Pod, error) {
	var p Pod
	id, err := resolveID(filepath.Join(s.Root, "pods"), s.podNames(), ref, ErrNoPod, "pods")
	if err != nil {
		return p, err
	}
	b, err := os.ReadFile(filepath.Join(s.podDir(id), "pod.json"))
	if err != nil {
		return p, fmt.Errorf("%w: %s", ErrNoPod, ref)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("reading pod %s: %w", ref, err)
	}
	return p, nil
}

// Pods returns every pod's record.
func (s Store) Pods() ([]Pod, error) {
	dirs, err := os.ReadDir(filepath.Join(s.Root, "pods"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	var out []Pod
	for _, d := range dirs {
		if !ValidID(d.Name()) {
			continue
		}
		if p, err := s.LoadPod(d.Name()); err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// IsInfra is true for a pod's infra container.
func (s Store) IsInfra(st State) bool {
	if st.PodID == "" {
		return false
	}
	p, err := s.LoadPod(st.PodID)
	return err == nil && p.InfraID == st.ID
}

package config

// Security is how a container is confined, as the user asked: the
// capability changes, seccomp, no_new_privs and the masked paths. The
// engine turns it into rl-init's spec (capability set, compiled filter,
// paths), starting from podman's defaults.
type Security struct {
	// Privileged is --privileged, rootless: every capability of the user
	// namespace, no seccomp filter, no masked or read-only kernel paths,
	// and the host's devices that the user can open.
	Privileged bool `json:"privileged,omitempty"`
	// CapAdd and CapDrop are capability names, CAP_ prefixed and upper
	// case, or ALL.
	CapAdd  []string `json:"cap_add,omitempty"`
	CapDrop []string `json:"cap_drop,omitempty"`
	// NoNewPrivileges sets no_new_privs for the command: setuid files and
	// file capabilities grant nothing.
	NoNewPrivileges bool `json:"no_new_privileges,omitempty"`
	// Seccomp is the filter: "" for rl's default profile, SeccompUnconfined
	// for none, else the absolute path of a profile (docker/podman JSON).
	Seccomp string `json:"seccomp,omitempty"`
	// Mask adds paths to the masked ones; Unmask removes some of the
	// defaults (or all of them: UnmaskAll).
	Mask   []string `json:"mask,omitempty"`
	Unmask []string `json:"unmask,omitempty"`
}

// SeccompUnconfined is Security.Seccomp for no filter at all.
const SeccompUnconfined = "unconfined"

// UnmaskAll in Security.Unmask unmasks every default path.
const UnmaskAll = "ALL"

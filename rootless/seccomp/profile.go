// Package seccomp is the front end's half of a container's seccomp filter:
// it reads a profile (docker's and podman's default, from
// github.com/moby/profiles/seccomp, or a docker/podman JSON file, parsed
// strictly), resolves it for the container's capabilities as docker does,
// compiles it to classic BPF in pure Go (Compile) and caches the program
// under the run root (Cache), so that a start pays one file read. rl runs
// it; rl-init only loads the bytes (rootless/child/seccomp.go).
package seccomp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	profiles "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ProfileModule is the module the default profile comes from.
const ProfileModule = "github.com/moby/profiles/seccomp"

// DefaultSource says where the default profile comes from, for rl info:
// the module and its version as linked into rl.
func DefaultSource() string {
	return ProfileModule + " " + profileVersion()
}

func profileVersion() string {
	if bi := buildInfo(); bi != nil {
		for _, m := range bi.Deps {
			if m.Path == ProfileModule {
				if m.Replace != nil {
					return m.Replace.Version
				}
				return m.Version
			}
		}
	}
	return "(unknown version)"
}

// buildInfo is rl's build information, read once (debug.ReadBuildInfo
// parses it anew on every call): nil when the binary has none.
var buildInfo = sync.OnceValue(func() *debug.BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return bi
})

// Profile is a seccomp profile before it is resolved for a container:
// docker's default one, or one read from a file.
type Profile struct {
	// Source names the profile in errors and in the cache key: "default"
	// or the file's path.
	Source string
	// Data are the file's bytes; nil for the default profile.
	Data []byte
	p    *profiles.Seccomp
}

// Default is docker's and podman's default profile. Its rules are built
// only when Resolve needs them: a start whose filter is cached needs none.
func Default() *Profile {
	return &Profile{Source: "default"}
}

// Parse reads a profile file's bytes (docker/podman JSON) strictly: an
// unknown field, a value of the wrong type, an unknown action, operator,
// architecture or flag, or trailing data is an error naming the field.
func Parse(source string, data []byte) (*Profile, error) {
	p, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("seccomp profile %s: %w; fix the profile or use --security-opt seccomp=unconfined", source, err)
	}
	return &Profile{Source: source, Data: data, p: p}, nil
}

func decode(data []byte) (*profiles.Seccomp, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p profiles.Seccomp
	if err := dec.Decode(&p); err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the profile's JSON object")
	}
	if err := validate(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

// jsonError turns a decoding error into one naming the field or the
// line and column.
func jsonError(data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		line, col := position(data, syntax.Offset)
		return fmt.Errorf("line %d, column %d: %w", line, col, err)
	case errors.As(err, &typ):
		// The field's path without moby's embedded runtime-spec types.
		field := strings.NewReplacer("LinuxSyscall.", "", "LinuxSeccomp.", "").Replace(typ.Field)
		if field == "" {
			field = "the profile"
		}
		return fmt.Errorf("%s: want %s, got a JSON %s", field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return errors.New("empty file: want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(data, int64(len(data)))
		return fmt.Errorf("line %d, column %d: unexpected end of the file, the JSON is not closed", line, col)
	}
	// Unknown fields ("json: unknown field \"x\"") and the profile's
	// own UnmarshalJSON errors (minKernel) name the field already.
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

func position(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for _, b := range data[:min(int(off), len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

var (
	actions = []specs.LinuxSeccompAction{
		specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap,
		specs.ActErrno, specs.ActTrace, specs.ActAllow, specs.ActLog,
	}
	operators = []specs.LinuxSeccompOperator{
		specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
		specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual,
	}
	archNames = []specs.Arch{
		specs.ArchX86, specs.ArchX86_64, specs.ArchX32, specs.ArchARM, specs.ArchAARCH64,
		specs.ArchMIPS, specs.ArchMIPS64, specs.ArchMIPS64N32, specs.ArchMIPSEL,
		specs.ArchMIPSEL64, specs.ArchMIPSEL64N32, specs.ArchPPC, specs.ArchPPC64,
		specs.ArchPPC64LE, specs.ArchS390, specs.ArchS390X, specs.ArchPARISC,
		specs.ArchPARISC64, specs.ArchRISCV64, specs.ArchLOONGARCH64,
	}
)

// maxErrno is the largest errno a filter can return (MAX_ERRNO).
const maxErrno = 4095

func validate(p *profiles.Seccomp) error {
	// Neither a default action nor rules is docker's "no filter".
	if p.DefaultAction == "" && len(p.Syscalls) != 0 {
		return errors.New("defaultAction: missing (e.g. SCMP_ACT_ERRNO)")
	}
	if p.DefaultAction != "" {
		if err := checkAction("defaultAction", p.DefaultAction, p.DefaultErrnoRet); err != nil {
			return err
		}
	}
	if len(p.Architectures) != 0 && len(p.ArchMap) != 0 {
		return errors.New("architectures and archMap: give one of them, not both")
	}
	for i, a := range p.Architectures {
		if !slices.Contains(archNames, a) {
			return fmt.Errorf("architectures[%d]: unknown architecture %q (e.g. SCMP_ARCH_X86_64)", i, a)
		}
	}
	for i, m := range p.ArchMap {
		if !slices.Contains(archNames, m.Arch) {
			return fmt.Errorf("archMap[%d].architecture: unknown architecture %q (e.g. SCMP_ARCH_X86_64)", i, m.Arch)
		}
		for j, a := range m.SubArches {
			if !slices.Contains(archNames, a) {
				return fmt.Errorf("archMap[%d].subArchitectures[%d]: unknown architecture %q", i, j, a)
			}
		}
	}
	for i, f := range p.Flags {
		switch f {
		case "SECCOMP_FILTER_FLAG_TSYNC":
			// rl-init always synchronises the filter to every thread.
		case specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow, specs.LinuxSeccompFlagWaitKillableRecv:
			return fmt.Errorf("flags[%d]: %s is not supported by rl; remove it", i, f)
		default:
			return fmt.Errorf("flags[%d]: unknown flag %q", i, f)
		}
	}
	if p.ListenerPath != "" || p.ListenerMetadata != "" {
		return errors.New("listenerPath: seccomp notification (SCMP_ACT_NOTIFY) is not supported by rl; remove it")
	}
	for i, s := range p.Syscalls {
		at := fmt.Sprintf("syscalls[%d]", i)
		if s == nil {
			return fmt.Errorf("%s: null; want an object", at)
		}
		if oldName(s) != "" && len(s.Names) != 0 {
			return fmt.Errorf("%s: name and names: give one of them, not both", at)
		}
		if oldName(s) == "" && len(s.Names) == 0 {
			return fmt.Errorf("%s.names: missing; list the syscalls of this rule", at)
		}
		for j, n := range s.Names {
			if n == "" {
				return fmt.Errorf("%s.names[%d]: empty name", at, j)
			}
		}
		if s.Action == "" {
			return fmt.Errorf("%s.action: missing (e.g. SCMP_ACT_ALLOW)", at)
		}
		if err := checkAction(at+".action", s.Action, s.ErrnoRet); err != nil {
			return err
		}
		if len(s.Args) > 6*3 {
			return fmt.Errorf("%s.args: %d conditions, too many", at, len(s.Args))
		}
		for j, a := range s.Args {
			if a.Index > 5 {
				return fmt.Errorf("%s.args[%d].index: %d; a syscall has arguments 0 to 5", at, j, a.Index)
			}
			if !slices.Contains(operators, a.Op) {
				return fmt.Errorf("%s.args[%d].op: unknown operator %q (e.g. SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ)", at, j, a.Op)
			}
		}
	}
	return nil
}

// oldName is a rule's "name": old profiles' spelling of "names", which
// moby still reads.
func oldName(s *profiles.Syscall) string {
	return s.Name //nolint:staticcheck // read for old profiles, as moby does
}

func checkAction(at string, a specs.LinuxSeccompAction, errno *uint) error {
	if a == specs.ActNotify {
		return fmt.Errorf("%s: %s is not supported by rl", at, a)
	}
	if !slices.Contains(actions, a) {
		return fmt.Errorf("%s: unknown action %q (e.g. SCMP_ACT_ALLOW, SCMP_ACT_ERRNO)", at, a)
	}
	if errno != nil && *errno > maxErrno {
		return fmt.Errorf("%s: errno %d is above %d", at, *errno, maxErrno)
	}
	return nil
}

// Resolve applies the profile's conditions (capabilities, architecture,
// kernel version) for a container whose bounding set is caps (CAP_NAME),
// as docker does, and returns the rules to compile with every syscall
// name the profile knows (for the ENOSYS fallback). A profile without a
// default action and without rules resolves to nil: no filter, as in
// docker.
func (p *Profile) Resolve(caps []string) (*specs.LinuxSeccomp, []string, error) {
	if p.p == nil {
		p.p = profiles.DefaultProfile()
	}
	var known []string
	for _, s := range p.p.Syscalls {
		known = append(known, s.Names...)
		if n := oldName(s); n != "" {
			known = append(known, n)
		}
	}
	rs := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
	var (
		out *specs.LinuxSeccomp
		err error
	)
	if p.Data == nil {
		out, err = profiles.GetDefaultProfile(rs)
	} else {
		// The bytes passed Parse's checks; moby decodes them again, so
		// that each container resolves its own copy.
		out, err = profiles.LoadProfile(string(p.Data), rs)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("seccomp profile %s: %w", p.Source, err)
	}
	return out, known, nil
}

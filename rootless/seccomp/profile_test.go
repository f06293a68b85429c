package seccomp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, profile, want string
	}{
		{"empty file", ``, "empty file"},
		{"not JSON", `{"defaultAction": "SCMP_ACT_ERRNO",`, "line 1, column"},
		{"syntax on line 3", "{\n\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\"syscalls\": [}\n", "line 3, column"},
		{"unknown top-level field", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultActoin": "x"}`, `unknown field "defaultActoin"`},
		{"unknown rule field", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "argz": []}]}`, `unknown field "argz"`},
		{"wrong type", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": "read", "action": "SCMP_ACT_ALLOW"}]}`, "syscalls.names: want []string, got a JSON string"},
		{"wrong arg type", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": "0", "value": 1, "op": "SCMP_CMP_EQ"}]}]}`, "syscalls.args.index: want uint"},
		{"negative errno", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1}`, "defaultErrnoRet"},
		{"trailing data", `{"defaultAction": "SCMP_ACT_ERRNO"} {}`, "trailing data"},
		{"unknown default action", `{"defaultAction": "SCMP_ACT_PERMIT"}`, `defaultAction: unknown action "SCMP_ACT_PERMIT"`},
		{"rules without a default action", `{"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`, "defaultAction: missing"},
		{"unknown rule action", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "ALLOW"}]}`, `syscalls[0].action: unknown action "ALLOW"`},
		{"notify", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOTIFY"}]}`, "syscalls[0].action: SCMP_ACT_NOTIFY is not supported"},
		{"missing action", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"]}]}`, "syscalls[0].action: missing"},
		{"no names", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"action": "SCMP_ACT_ALLOW"}]}`, "syscalls[0].names: missing"},
		{"name and names", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}]}`, "syscalls[0]: name and names"},
		{"empty name", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": [""], "action": "SCMP_ACT_ALLOW"}]}`, "syscalls[0].names[0]: empty"},
		{"null rule", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [null]}`, "syscalls[0]: null"},
		{"arg index", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`, "syscalls[0].args[0].index: 6"},
		{"unknown op", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQUAL"}]}]}`, `syscalls[0].args[0].op: unknown operator "SCMP_CMP_EQUAL"`},
		{"errno too big", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000}`, "defaultAction: errno 70000"},
		{"unknown arch", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_46"]}`, `architectures[0]: unknown architecture "SCMP_ARCH_X86_46"`},
		{"both arch fields", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": []}]}`, "architectures and archMap"},
		{"unknown sub-arch", `{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_Z80"]}]}`, "archMap[0].subArchitectures[0]"},
		{"unsupported flag", `{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_LOG"]}`, "flags[0]: SECCOMP_FILTER_FLAG_LOG is not supported"},
		{"unknown flag", `{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_FAST"]}`, `flags[0]: unknown flag`},
		{"listener", `{"defaultAction": "SCMP_ACT_ERRNO", "listenerPath": "/run/x.sock"}`, "listenerPath"},
		{"bad minKernel", `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4"}}]}`, "invalid kernel version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("/p.json", []byte(tt.profile))
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, "seccomp profile /p.json: ") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %q", msg, tt.want)
			}
		})
	}
}

// TestParseDockerProfile reads moby's own default.json, the file docker
// and podman users start their profiles from, and checks it compiles to
// the same program as the built-in default.
func TestParseDockerProfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "default.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse("default.json", data)
	if err != nil {
		t.Fatal(err)
	}
	sc, known, err := p.Resolve(podmanCaps)
	if err != nil {
		t.Fatal(err)
	}
	got, err := compile(sc, known, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := compileDefault(t, podmanCaps); string(got) != string(want) {
		t.Errorf("default.json compiles to %d instructions, the built-in default to %d", len(got)/8, len(want)/8)
	}
}

func TestParseAccepts(t *testing.T) {
	for _, profile := range []string{
		`{}`,
		`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}`,
		`{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_TSYNC"], "syscalls": [{"name": "read", "action": "SCMP_ACT_ALLOW", "comment": "old spelling"}]}`,
		`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}], "excludes": {"caps": ["CAP_SYS_ADMIN"]}}]}`,
	} {
		if _, err := Parse("p.json", []byte(profile)); err != nil {
			t.Errorf("%s: %v", profile, err)
		}
	}
}

// FuzzProfile feeds the parser arbitrary files: it must refuse or accept
// without panicking, and whatever it accepts must resolve and compile to
// a program in which every path ends in a return.
func FuzzProfile(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("testdata", "default.json")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, profile []byte) {
		p, err := Parse("fuzz.json", profile)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %q", err)
			}
			return
		}
		sc, known, err := p.Resolve(podmanCaps)
		if err != nil {
			return
		}
		prog, err := Compile(sc, known)
		if err != nil || prog == nil {
			return
		}
		for _, d := range []data{
			{nr: 0, arch: 0xc000003e}, {nr: 56, arch: 0xc000003e, args: [6]uint64{1 << 28}},
			{nr: 1000, arch: 0xc000003e}, {nr: 0x40000001, arch: 0xc000003e},
			{nr: 3, arch: 0x40000003}, {nr: 1, arch: 0xc00000b7},
		} {
			run(t, prog, d)
		}
	})
}

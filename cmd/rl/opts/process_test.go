package opts

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

func TestParseUlimits(t *testing.T) {
	inf := uint64(unix.RLIM_INFINITY)
	tests := []struct {
		in      []string
		want    []spec.Rlimit
		wantErr string
	}{
		{in: nil, want: nil},
		{in: []string{"nofile=1", "host"}, want: nil},
		{in: []string{"nofile=1024:2048"}, want: []spec.Rlimit{{Type: "RLIMIT_NOFILE", Resource: unix.RLIMIT_NOFILE, Soft: 1024, Hard: 2048}}},
		{in: []string{"RLIMIT_CORE=-1"}, want: []spec.Rlimit{{Type: "RLIMIT_CORE", Resource: unix.RLIMIT_CORE, Soft: inf, Hard: inf}}},
		{in: []string{"core=1000:-1"}, want: []spec.Rlimit{{Type: "RLIMIT_CORE", Resource: unix.RLIMIT_CORE, Soft: 1000, Hard: inf}}},
		{in: []string{"nproc=5"}, want: []spec.Rlimit{{Type: "RLIMIT_NPROC", Resource: unix.RLIMIT_NPROC, Soft: 5, Hard: 5}}},
		{in: []string{"nofile=abc"}, wantErr: `invalid --ulimit "nofile=abc": requires name=SOFT:HARD, failed to be parsed: strconv.ParseInt: parsing "abc": invalid syntax`},
		{in: []string{"core=-1:1000"}, wantErr: "soft: -1 (unlimited), hard: 1000"},
		{in: []string{"nofile=20:10"}, wantErr: "20 > 10"},
		{in: []string{"bogus=1"}, wantErr: "invalid ulimit type: bogus"},
		{in: []string{"nofile"}, wantErr: "invalid ulimit argument"},
		{in: []string{"nofile=-2:-2"}, wantErr: "-1 for unlimited"},
		{in: []string{"nofile=1:2:3"}, wantErr: "too many"},
	}
	for _, tt := range tests {
		got, err := ParseUlimits(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseUlimits(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseUlimits(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseLabels(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "labels")
	if err := os.WriteFile(file, []byte("# comment\n\n  a=from-file\nbare\nc=x=y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("ok=1\n=value\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ParseLabels([]string{"a=1", "k"}, []string{file})
	want := map[string]string{"a": "1", "c": "x=y", "k": ""}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("ParseLabels = %v, %v; want %v", got, err, want)
	}
	if got, err := ParseLabels(nil, nil); got != nil || err != nil {
		t.Errorf("ParseLabels() = %v, %v; want nil", got, err)
	}
	for _, tt := range []struct {
		labels, files []string
		wantErr       string
	}{
		{labels: []string{"=x"}, wantErr: `invalid --label "=x": no name before "="`},
		{labels: []string{""}, wantErr: `invalid --label ""`},
		{labels: []string{"a b=c"}, wantErr: "white space"},
		{files: []string{bad}, wantErr: "--label-file " + bad + " line 2"},
		{files: []string{filepath.Join(dir, "missing")}, wantErr: "no such file"},
	} {
		if _, err := ParseLabels(tt.labels, tt.files); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseLabels(%q, %q) error = %v, want %q", tt.labels, tt.files, err, tt.wantErr)
		}
	}
}

func TestParseDNSOption(t *testing.T) {
	if got, err := ParseDNSOption("ndots:2"); got != "ndots:2" || err != nil {
		t.Errorf("ParseDNSOption(ndots:2) = %q, %v", got, err)
	}
	for _, bad := range []string{"", "a b", "x\ny"} {
		if _, err := ParseDNSOption(bad); err == nil {
			t.Errorf("ParseDNSOption(%q) accepted", bad)
		}
	}
}

func TestParseEntrypoint(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"/bin/sh", []string{"/bin/sh"}},
		{`["sh","-c"]`, []string{"sh", "-c"}},
		{`[not json`, []string{"[not json"}},
		{`["a", 1]`, []string{`["a", 1]`}},
		{`{"a":1}`, []string{`{"a":1}`}},
	} {
		if got := ParseEntrypoint(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseEntrypoint(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProcessParse(t *testing.T) {
	p, err := Process{Umask: "0027", GroupAdd: []string{"10", "wheel"}, OOMScoreAdj: 5, OOMScoreAdjSet: true, CgroupNS: "host"}.ParseProcess()
	if err != nil || p.Umask != 0o027 || *p.OOMScoreAdj != 5 || !p.HostCgroupNS || len(p.GroupAdd) != 2 {
		t.Errorf("Parse = %+v, %v", p, err)
	}
	if p, err := (Process{}).ParseProcess(); err != nil || p.Umask != 0o022 || p.OOMScoreAdj != nil || p.Ulimits != nil {
		t.Errorf("Parse of no flags = %+v, %v; want podman's defaults", p, err)
	}
	if p, err := (Process{GroupAdd: []string{"keep-groups"}}).ParseProcess(); err != nil || !p.KeepGroups {
		t.Errorf("keep-groups = %+v, %v", p, err)
	}
	for _, tt := range []struct {
		f       Process
		wantErr string
	}{
		{Process{Umask: "999"}, `invalid --umask "999"`},
		{Process{Umask: "01000"}, `invalid --umask "01000"`},
		{Process{OOMScoreAdj: 1001, OOMScoreAdjSet: true}, "between -1000 and 1000"},
		{Process{GroupAdd: []string{"keep-groups", "wheel"}}, "not allowed with any other"},
		{Process{GroupAdd: []string{""}}, "invalid --group-add"},
		{Process{CgroupNS: "bogus"}, `invalid --cgroupns "bogus"`},
		{Process{Timezone: "No/Such_Zone"}, `invalid --tz "No/Such_Zone"`},
		{Process{Timezone: "../etc/passwd"}, `invalid --tz`},
		{Process{Timezone: "/etc/passwd"}, `invalid --tz`},
		{Process{DeviceCgroupRules: []string{"b 7:* rmw"}}, "not supported in rootless mode"},
		{Process{Ulimits: []string{"nofile=abc"}}, "invalid --ulimit"},
	} {
		if _, err := tt.f.ParseProcess(); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Parse(%+v) error = %v, want %q", tt.f, err, tt.wantErr)
		}
	}
}

// FuzzParseUlimits: a parsed limit has a known resource, an RLIMIT_ name,
// and a soft limit no higher than its hard one (unlimited as the top).
func FuzzParseUlimits(f *testing.F) {
	for _, s := range []string{"nofile=1024:2048", "core=-1", "core=-1:1000", "RLIMIT_NPROC=5:6", "host", "nofile=abc", "x=1", "nofile=1:2:3", "=", "nofile=-5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseUlimits([]string{s})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid --ulimit ") || strings.Contains(err.Error(), "\n") && !strings.Contains(s, "\n") {
				t.Fatalf("error %q for %q is not one line naming the flag", err, s)
			}
			return
		}
		for _, l := range got {
			if !strings.HasPrefix(l.Type, "RLIMIT_") || l.Resource < 0 || l.Resource > unix.RLIMIT_RTTIME {
				t.Fatalf("%q: bad limit %+v", s, l)
			}
			if l.Hard != unix.RLIM_INFINITY && l.Soft > l.Hard {
				t.Fatalf("%q: soft %d above hard %d", s, l.Soft, l.Hard)
			}
		}
	})
}

// FuzzParseLabelFile: every label read has a non-empty key without white
// space, and the file's lines that parse as KEY=VALUE give that value.
func FuzzParseLabelFile(f *testing.F) {
	for _, s := range []string{"a=1\nb=2\n", "# c\n\n  k=v w\n", "=x\n", "bare\nk==\n", "a b=c", "k=\x00", strings.Repeat("x", 70000) + "=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := map[string]string{}
		err := parseLabelFile(strings.NewReader(s), "f", out)
		if err != nil {
			return
		}
		for k := range out {
			if k == "" || strings.ContainsAny(k, " \t\n\v\f\r\x00") {
				t.Fatalf("%q: bad key %q", s, k)
			}
		}
		for _, line := range strings.Split(s, "\n") {
			line = strings.TrimLeft(strings.TrimSuffix(line, "\r"), " \t\n\v\f\r")
			k, v, ok := strings.Cut(line, "=")
			if !ok || strings.HasPrefix(line, "#") || strings.Contains(s, "\r") {
				continue
			}
			if last, found := out[k]; !found || (last != v && strings.Count(s, k+"=") == 1) {
				t.Fatalf("%q: line %q gave %q (found %v)", s, line, last, found)
			}
		}
	})
}

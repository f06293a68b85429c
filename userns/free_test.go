package userns

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestFreeRange(t *testing.T) {
	tests := []struct {
		name        string
		taken       []Range
		from, count uint32
		want        Range
		wantOK      bool
	}{
		{name: "nothing taken", from: 100000, count: 65536, want: Range{100000, 65536}, wantOK: true},
		{name: "after one", taken: []Range{{100000, 65536}}, from: 100000, count: 65536, want: Range{165536, 65536}, wantOK: true},
		{name: "after several, unsorted", taken: []Range{{231072, 65536}, {100000, 65536}, {165536, 65536}}, from: 100000, count: 65536, want: Range{296608, 65536}, wantOK: true},
		{name: "into a gap that fits", taken: []Range{{100000, 10}, {165546, 65536}}, from: 100000, count: 65536, want: Range{100010, 65536}, wantOK: true},
		{name: "past a gap too small", taken: []Range{{100000, 10}, {100020, 65536}}, from: 100000, count: 65536, want: Range{165556, 65536}, wantOK: true},
		{name: "below from is ignored", taken: []Range{{1000, 5000}}, from: 100000, count: 10, want: Range{100000, 10}, wantOK: true},
		{name: "straddling from", taken: []Range{{90000, 20000}}, from: 100000, count: 10, want: Range{110000, 10}, wantOK: true},
		{name: "overlapping ranges", taken: []Range{{100000, 65536}, {150000, 100000}}, from: 100000, count: 5, want: Range{250000, 5}, wantOK: true},
		{name: "nested range", taken: []Range{{100000, 65536}, {110000, 10}}, from: 100000, count: 5, want: Range{165536, 5}, wantOK: true},
		{name: "up to 2^32-2", taken: []Range{{100000, 1<<32 - 100000 - 11}}, from: 100000, count: 10, want: Range{1<<32 - 11, 10}, wantOK: true},
		{name: "not to (uid_t)-1", taken: []Range{{100000, 1<<32 - 100000 - 10}}, from: 100000, count: 10},
		{name: "zero count", from: 100000, count: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FreeRange(tt.taken, tt.from, tt.count)
			if ok != tt.wantOK || (ok && got != tt.want) {
				t.Fatalf("FreeRange = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
			if !ok {
				return
			}
			for _, r := range tt.taken {
				if uint64(got.Start) < uint64(r.Start)+uint64(r.Count) && uint64(r.Start) < uint64(got.Start)+uint64(got.Count) {
					t.Errorf("FreeRange = %+v overlaps %+v", got, r)
				}
			}
		})
	}
}

func TestParseAllRanges(t *testing.T) {
	in := strings.Join([]string{
		"# a comment:1:2",
		"alice:100000:65536",
		"  1001:165536:65536  ",
		"bob:x:5",            // skipped
		"carol:300000:0",     // skipped
		"dave:1:2:3",         // skipped
		"big:4294967290:100", // clipped at 2^32
		"",
	}, "\n")
	want := []Range{{100000, 65536}, {165536, 65536}, {4294967290, 6}}
	if got := ParseAllRanges(strings.NewReader(in)); !reflect.DeepEqual(got, want) {
		t.Errorf("ParseAllRanges = %+v, want %+v", got, want)
	}
}

func TestUsermodCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Other users hold 100000-165535 in subuid and 165536-231071 in
	// subgid: the suggestion must be free in both.
	subuid := write("subuid", "alice:100000:65536\n")
	subgid := write("subgid", "bob:165536:65536\n")
	if got, want := UsermodCommand(subuid, subgid, "carol", SuggestCount), "sudo usermod --add-subuids 231072-296607 --add-subgids 231072-296607 carol"; got != want {
		t.Errorf("UsermodCommand = %q, want %q", got, want)
	}
	missing := filepath.Join(dir, "missing")
	if got, want := UsermodCommand(missing, missing, "carol", SuggestCount), "sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 carol"; got != want {
		t.Errorf("UsermodCommand without files = %q, want %q", got, want)
	}
	full := write("full", "alice:100000:4294867296\n")
	if got := UsermodCommand(full, full, "carol", SuggestCount); !strings.Contains(got, "START-END") || !strings.Contains(got, full) {
		t.Errorf("UsermodCommand with no room = %q, want a START-END template naming %s", got, full)
	}
}

func TestSingleWarning(t *testing.T) {
	fix := "sudo usermod --add-subuids 1-2 --add-subgids 1-2 alice"
	got := singleWarning("alice", SubUIDFile, SubGIDFile, fix)
	want := "no subordinate ids for alice in /etc/subuid and /etc/subgid: the container has one uid and one gid (others show as nobody, chown fails); fix: " + fix
	if got != want {
		t.Errorf("singleWarning = %q\nwant %q", got, want)
	}
	got = singleWarning("alice", "/tmp/u", "/tmp/g", fix)
	want = "no subordinate ids for alice in /tmp/u and /tmp/g: the container has one uid and one gid (others show as nobody, chown fails); fix: " + fix +
		", and add the same ranges to /tmp/u and /tmp/g, which rl reads (RL_SUBUID_FILE, RL_SUBGID_FILE)"
	if got != want {
		t.Errorf("singleWarning with overrides = %q\nwant %q", got, want)
	}
}

func TestForCallerWarningNamesFiles(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root gets no warning: it maps ids without subordinate ranges")
	}
	dir := t.TempDir()
	subuid, subgid := filepath.Join(dir, "u"), filepath.Join(dir, "g")
	// Someone else holds the usual first range: the fix must avoid it.
	for _, p := range []string{subuid, subgid} {
		if err := os.WriteFile(p, []byte("someoneelse:100000:65536\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("RL_SUBUID_FILE", subuid)
	t.Setenv("RL_SUBGID_FILE", subgid)
	_, warning, err := ForCaller(ModeDefault, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"in " + subuid + " and " + subgid, "--add-subuids 165536-231071 --add-subgids 165536-231071"} {
		if !strings.Contains(warning, s) {
			t.Errorf("warning %q does not contain %q", warning, s)
		}
	}
	if strings.Contains(warning, SubUIDFile+" and") {
		t.Errorf("warning %q names %s, which rl did not read", warning, SubUIDFile)
	}
}

func TestParseOthersRanges(t *testing.T) {
	in := "alice:100000:65536\n1000:200000:10\nbob:165536:65536\n# carol:1:2\n"
	want := []Range{{Start: 165536, Count: 65536}}
	if got := ParseOthersRanges(strings.NewReader(in), "alice", 1000); !reflect.DeepEqual(got, want) {
		t.Errorf("ParseOthersRanges = %+v, want %+v", got, want)
	}
}

package fsoverlay

import "testing"

func TestEscape(t *testing.T) {
	tests := map[string]string{
		"/plain/path":  "/plain/path",
		"/a,b":         `/a\,b`,
		"/a:b":         `/a\:b`,
		`/a\b`:         `/a\\b`,
		`/x\,:y`:       `/x\\\,\:y`,
		"/with space/": "/with space/",
	}
	for in, want := range tests {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestData(t *testing.T) {
	tests := []struct {
		name string
		l    Layers
		want string
	}{
		{"read-write", Layers{Lower: []string{"/l"}, Upper: "/u", Work: "/w", UserXattr: true},
			"lowerdir=/l,upperdir=/u,workdir=/w,userxattr"},
		{"several lowers, top first", Layers{Lower: []string{"/l2", "/l1"}, Upper: "/u", Work: "/w"},
			"lowerdir=/l2:/l1,upperdir=/u,workdir=/w"},
		{"read-only", Layers{Lower: []string{"/b", "/a"}}, "lowerdir=/b:/a"},
		{"escaped", Layers{Lower: []string{"/a:b"}, Upper: "/u,1", Work: "/w"},
			`lowerdir=/a\:b,upperdir=/u\,1,workdir=/w`},
	}
	for _, tt := range tests {
		if got := tt.l.Data(); got != tt.want {
			t.Errorf("%s: Data() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

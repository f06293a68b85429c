package netns

import (
	"slices"
	"testing"
)

func TestSbinPath(t *testing.T) {
	for _, tt := range []struct{ in, want []string }{
		{[]string{"A=1", "PATH=/usr/local/bin:/usr/bin"}, []string{"A=1", "PATH=/usr/sbin:/sbin:/usr/local/bin:/usr/bin"}},
		{[]string{"PATH=/bin:/sbin"}, []string{"PATH=/usr/sbin:/bin:/sbin"}},
		{[]string{"PATH=/sbin:/usr/sbin:/bin"}, []string{"PATH=/sbin:/usr/sbin:/bin"}},
		{[]string{"A=1"}, []string{"A=1", "PATH=/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin"}},
	} {
		if got := sbinPath(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("sbinPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

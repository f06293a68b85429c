package network

import "testing"

func TestWithDNSOptions(t *testing.T) {
	for _, tt := range []struct {
		conf    string
		options []string
		want    string
	}{
		{"nameserver 10.0.2.3\noptions ndots:2\n", nil, "nameserver 10.0.2.3\noptions ndots:2\n"},
		{"nameserver 10.0.2.3\noptions ndots:2\n", []string{"debug", "attempts:3"}, "nameserver 10.0.2.3\noptions debug attempts:3\n"},
		{"nameserver 1.1.1.1", []string{"rotate"}, "nameserver 1.1.1.1\noptions rotate\n"},
		{"", []string{"rotate"}, "options rotate\n"},
	} {
		if got := string(WithDNSOptions([]byte(tt.conf), tt.options)); got != tt.want {
			t.Errorf("WithDNSOptions(%q, %q) = %q, want %q", tt.conf, tt.options, got, tt.want)
		}
	}
}

package netconfig

import "testing"

func TestFilter(t *testing.T) {
	web := &Network{Name: "web", ID: "abc123", Driver: "bridge", Labels: map[string]string{"app": "shop"}}
	tests := []struct {
		exprs []string
		inUse bool
		want  bool
	}{
		{nil, false, true},
		{[]string{"name=^we"}, false, true},
		{[]string{"name=db", "name=web"}, false, true},
		{[]string{"name=db"}, false, false},
		{[]string{"id=abc"}, false, true},
		{[]string{"id=bc"}, false, false},
		{[]string{"driver=bridge", "label=app"}, false, true},
		{[]string{"label=app=shop"}, false, true},
		{[]string{"label=app=blog"}, false, false},
		{[]string{"dangling=true"}, true, false},
		{[]string{"dangling=false"}, true, true},
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.exprs)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(web, tt.inUse); got != tt.want {
			t.Errorf("%v (in use %v): %v, want %v", tt.exprs, tt.inUse, got, tt.want)
		}
	}
	for _, bad := range []string{"name", "color=red", "name=(", "dangling=maybe"} {
		if _, err := ParseFilter([]string{bad}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseDriverOptions(t *testing.T) {
	if o, err := ParseDriverOptions([]string{"mtu=1500"}); err != nil || o["mtu"] != "1500" {
		t.Errorf("mtu=1500: %v, %v", o, err)
	}
	for _, bad := range []string{"mtu=big", "mtu=20", "vlan=3", "mtu"} {
		if _, err := ParseDriverOptions([]string{bad}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

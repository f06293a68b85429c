package config

import (
	"reflect"
	"testing"
)

func TestMergeEnv(t *testing.T) {
	tests := []struct {
		name       string
		base, over []string
		want       []string
	}{
		{name: "empty", want: []string{}},
		{name: "no override", base: []string{"A=1", "B=2"}, want: []string{"A=1", "B=2"}},
		{name: "only over", over: []string{"A=1"}, want: []string{"A=1"}},
		{name: "override keeps position", base: []string{"A=1", "B=2", "C=3"}, over: []string{"B=x"}, want: []string{"A=1", "B=x", "C=3"}},
		{name: "new keys appended in order", base: []string{"A=1"}, over: []string{"Z=9", "M=5"}, want: []string{"A=1", "Z=9", "M=5"}},
		{name: "mixed", base: []string{"A=1", "B=2"}, over: []string{"C=3", "A=a"}, want: []string{"A=a", "B=2", "C=3"}},
		{name: "last of repeated new key wins, at first place", base: []string{"A=1"}, over: []string{"N=1", "B=2", "N=2"}, want: []string{"A=1", "N=2", "B=2"}},
		{name: "empty value overrides", base: []string{"A=1"}, over: []string{"A="}, want: []string{"A="}},
		{name: "value with =", base: []string{"A=1"}, over: []string{"A=b=c"}, want: []string{"A=b=c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := append([]string(nil), tt.base...)
			got := MergeEnv(base, tt.over)
			if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("MergeEnv(%q, %q) = %q, want %q", tt.base, tt.over, got, tt.want)
			}
			if !reflect.DeepEqual(base, tt.base) && (len(base) != 0 || len(tt.base) != 0) {
				t.Errorf("MergeEnv changed its base: %q, was %q", base, tt.base)
			}
		})
	}
}

package userns

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseSubIDs(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		want    []Range
		wantErr bool
	}{
		{"by name", "alice:100000:65536\n", []Range{{100000, 65536}}, false},
		{"by uid", "1000:200000:10\n", []Range{{200000, 10}}, false},
		{"several ranges", "alice:100000:10\nbob:5:5\nalice:300000:20\n", []Range{{100000, 10}, {300000, 20}}, false},
		{"comments and blanks", "# comment\n\n  alice:1:2  \n", []Range{{1, 2}}, false},
		{"other user malformed is ignored", "bob:x:y\nalice:1:2\n", []Range{{1, 2}}, false},
		{"none", "bob:1:2\n", nil, false},
		{"prefix of name is not a match", "alic:1:2\nalice2:3:4\n", nil, false},
		{"malformed count", "alice:100000:abc\n", nil, true},
		{"missing field", "alice:100000\n", nil, true},
		{"zero count", "alice:100000:0\n", nil, true},
		{"overflow", "alice:4294967295:2\n", nil, true},
		{"negative", "alice:-1:2\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSubIDs(strings.NewReader(tt.file), "alice", 1000)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

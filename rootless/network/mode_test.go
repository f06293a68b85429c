package network

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseMode(t *testing.T) {
	slirp := func(mtu int, loopback bool, handler string) Mode {
		return Mode{Name: Slirp4netns, MTU: mtu, AllowHostLoopback: loopback, PortHandler: handler}
	}
	pasta := func(mtu int, args ...string) Mode {
		return Mode{Name: Pasta, MTU: mtu, PastaArgs: args}
	}
	tests := []struct {
		in      string
		want    Mode
		wantErr string // a substring of the error; "" means success
	}{
		{in: "", want: slirp(65520, false, "rootlesskit")},
		{in: "slirp4netns", want: slirp(65520, false, "rootlesskit")},
		{in: "slirp4netns:mtu=1500", want: slirp(1500, false, "rootlesskit")},
		{in: "slirp4netns:mtu=1280", want: slirp(1280, false, "rootlesskit")},
		{in: "slirp4netns:mtu=65521", want: slirp(65521, false, "rootlesskit")},
		{in: "slirp4netns:allow_host_loopback=true", want: slirp(65520, true, "rootlesskit")},
		{in: "slirp4netns:allow_host_loopback=false", want: slirp(65520, false, "rootlesskit")},
		{in: "slirp4netns:port_handler=slirp4netns", want: slirp(65520, false, "slirp4netns")},
		{in: "slirp4netns:port_handler=rootlesskit", want: slirp(65520, false, "rootlesskit")},
		{in: "slirp4netns:mtu=9000,allow_host_loopback=true,port_handler=slirp4netns", want: slirp(9000, true, "slirp4netns")},
		{in: "slirp4netns:mtu=9000,mtu=1500", want: slirp(1500, false, "rootlesskit")},
		{in: "pasta", want: pasta(65520)},
		{in: "pasta:-T,8080", want: pasta(65520, "-T", "8080")},
		{in: "pasta:--mtu,1500", want: pasta(1500)},
		{in: "pasta:--mtu=1500,-T,8080", want: pasta(1500, "-T", "8080")},
		{in: "pasta:-T,8080,-m,9000", want: pasta(9000, "-T", "8080")},
		{in: "pasta:-m1500", want: pasta(1500)},
		{in: "pasta:--mt,1500", want: pasta(1500)},
		{in: "pasta:--map-gw", want: pasta(65520, "--map-gw")},
		{in: "none", want: Mode{Name: None}},
		{in: "host", want: Mode{Name: Host}},

		{in: "bridge", wantErr: `invalid --network "bridge": use slirp4netns, pasta, none or host`},
		{in: "private", wantErr: "use slirp4netns, pasta, none or host"},
		{in: "Slirp4netns", wantErr: "use slirp4netns, pasta, none or host"},
		{in: ":mtu=1500", wantErr: "use slirp4netns, pasta, none or host"},
		{in: "container:abc", wantErr: "use slirp4netns, pasta, none or host"},
		{in: "none:x", wantErr: `invalid --network "none:x": none takes no options`},
		{in: "host:", wantErr: "host takes no options"},
		{in: "slirp4netns:", wantErr: `unknown option "": use mtu=N`},
		{in: "slirp4netns:cidr=10.0.3.0/24", wantErr: `unknown option "cidr=10.0.3.0/24": use mtu=N, allow_host_loopback=true|false or port_handler=rootlesskit|slirp4netns`},
		{in: "slirp4netns:mtu=1500,", wantErr: `unknown option ""`},
		{in: "slirp4netns:mtu", wantErr: `invalid mtu "": want a number from 1280 to 65521`},
		{in: "slirp4netns:mtu=1279", wantErr: `invalid mtu "1279"`},
		{in: "slirp4netns:mtu=65522", wantErr: `invalid mtu "65522"`},
		{in: "slirp4netns:mtu=big", wantErr: `invalid mtu "big"`},
		{in: "slirp4netns:allow_host_loopback=maybe", wantErr: `invalid allow_host_loopback "maybe": want true or false`},
		{in: "slirp4netns:port_handler=pasta", wantErr: `invalid port_handler "pasta": want rootlesskit or slirp4netns`},
		{in: "pasta:", wantErr: "empty pasta argument"},
		{in: "pasta:-T,,8080", wantErr: "empty pasta argument"},
		{in: "pasta:--mtu", wantErr: "pasta option --mtu needs a value (--mtu,1500)"},
		{in: "pasta:-m", wantErr: "pasta option -m needs a value"},
		{in: "pasta:--mtu,100", wantErr: `invalid mtu "100"`},
		{in: "pasta:--mtu=", wantErr: `invalid mtu ""`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMode(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseMode(%q) = %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "invalid --network "+`"`+tt.in+`"`) {
					t.Errorf("ParseMode(%q) error %q does not name the value", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMode(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMode(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

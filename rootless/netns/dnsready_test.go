package netns

import (
	"net/netip"
	"testing"
)

func TestUDPListeners(t *testing.T) {
	table := `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 1234: 0100590A:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2500694 2 0000000000000000 0
 1235: 0101590A:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2500700 2 0000000000000000 0
 1236: 0100590A:0036 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2500701 2 0000000000000000 0
`
	a, b, c := netip.MustParseAddr("10.89.0.1"), netip.MustParseAddr("10.89.1.1"), netip.MustParseAddr("10.89.2.1")
	got := udpListeners(table, []netip.Addr{a, b, c}, 53)
	if got[a] != "2500694" || got[b] != "2500700" || got[c] != "" || len(got) != 2 {
		t.Errorf("got %v", got)
	}
}

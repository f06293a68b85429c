package handshake

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"golang.org/x/sys/unix"
)

// FuzzRecv fuzzes one packet as Recv reads it from the sync socket (a real
// SOCK_SEQPACKET pair, so that Recv's own framing is part of it). A packet
// Recv accepts, sent again with Send, is received as the same message, and
// its encoding is then stable: what one side decodes, the other would have
// encoded the same.
func FuzzRecv(f *testing.F) {
	p, c, err := Pair()
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { p.Close(); c.Close() })
	send, recv := int(p.Fd()), int(c.Fd())
	f.Fuzz(func(t *testing.T, packet []byte) {
		if len(packet) > 64<<10 {
			return // more than the socket's send buffer may take
		}
		if err := unix.Sendmsg(send, packet, nil, nil, 0); err != nil {
			t.Fatal(err)
		}
		m, fds, err := Recv(recv)
		if len(fds) != 0 {
			t.Fatalf("fds %v from a packet that carried none", fds)
		}
		if len(packet) == 0 {
			// An empty packet reads as the end of the stream.
			if !errors.Is(err, io.EOF) {
				t.Fatalf("empty packet: %+v, %v; want io.EOF", m, err)
			}
			return
		}
		if err != nil {
			return
		}
		if err := Send(send, m); err != nil {
			t.Fatalf("sending back %+v: %v", m, err)
		}
		m2, _, err := Recv(recv)
		if err != nil {
			t.Fatalf("receiving back %+v: %v", m, err)
		}
		b1, err1 := json.Marshal(m)
		b2, err2 := json.Marshal(m2)
		if err1 != nil || err2 != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("decoded %s, sent back and decoded %s (%v, %v)", b1, b2, err1, err2)
		}
		if m.Error != nil {
			// A failure's errno is what errors.Is finds.
			if e := m.Error.Errno; e != 0 && !errors.Is(m.Error, unix.Errno(e)) {
				t.Fatalf("error %+v does not unwrap to errno %d", m.Error, e)
			}
		}
	})
}

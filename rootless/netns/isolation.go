package netns

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// The networks of one rootless netns are isolated from each other, as
// podman's are with the isolate option (netavark 1.4 has none: its
// forwarding rules accept whatever a network's containers send, so a
// container could reach another network's by address). The rules are
// rl's own, in the mangle table's FORWARD chain, which netavark leaves
// alone and which comes before the filter table's: a packet routed from
// one bridge out to another is dropped; a packet that stays on its bridge
// (bridged, seen here only with br_netfilter) returns.
const isolationChain = "RL-ISOLATION"

// isolationRules is iptables-restore's input (with --noflush) that
// rewrites the chain for bridges, and hooks it into FORWARD when first.
func isolationRules(bridges []string, first bool) []byte {
	var b bytes.Buffer
	b.WriteString("*mangle\n:" + isolationChain + " - [0:0]\n")
	if first {
		b.WriteString("-A FORWARD -j " + isolationChain + "\n")
	}
	for _, br := range bridges {
		fmt.Fprintf(&b, "-A %s -i %s -o %s -j RETURN\n", isolationChain, br, br)
	}
	fmt.Fprintf(&b, "-A %s -i podman+ -o podman+ -j DROP\nCOMMIT\n", isolationChain)
	return b.Bytes()
}

// isolate makes the rules for the bridges of st's containers, when they
// are not those that the rules were last made for.
func isolate(h holder, st *state) error {
	var bridges []string
	for _, e := range st.Containers {
		for _, br := range e.Bridges {
			if !slices.Contains(bridges, br) {
				bridges = append(bridges, br)
			}
		}
	}
	slices.Sort(bridges)
	if st.Isolated != nil && slices.Equal(*st.Isolated, bridges) {
		return nil
	}
	res, err := ask(h.dir, request{
		Args:  []string{"iptables-restore", "--noflush"},
		Stdin: isolationRules(bridges, st.Isolated == nil),
	})
	if err != nil {
		return fmt.Errorf("isolating the networks from each other: iptables-restore: %w (%s)", err, strings.TrimSpace(string(res.Stderr)))
	}
	st.Isolated = &bridges
	return nil
}

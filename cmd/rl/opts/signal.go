package opts

import (
	"fmt"
	"strconv"

	"github.com/moby/sys/signal"
	"golang.org/x/sys/unix"
)

// ParseSignal parses a signal as rl kill -s takes it: a name, with or
// without SIG and in either case (TERM, SIGHUP, rtmin+3), or a number from
// 1 to 64. The names are moby/sys/signal's, which knows the real-time
// signals (RTMIN+n, RTMAX-n) as well.
func ParseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n > 0 && n <= 64 {
			return unix.Signal(n), nil
		}
		if n > 64 {
			return 0, fmt.Errorf("invalid signal %q: valid signals are 1 through 64", s)
		}
	} else if sig, err := signal.ParseSignal(s); err == nil {
		return sig, nil
	}
	return 0, fmt.Errorf("invalid signal %q: give a name (TERM, SIGHUP) or a number from 1 to 64", s)
}

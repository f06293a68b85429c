package child

import (
	"testing"

	"github.com/rl-containers/rl/userns"
)

func TestRemapID(t *testing.T) {
	maps := []userns.IDMap{{ContainerID: 0, HostID: 1, Size: 1000}, {ContainerID: 1000, HostID: 0, Size: 1}}
	for _, tt := range []struct{ id, want uint32 }{{0, 1}, {999, 1000}, {1000, 0}, {5000, 1001}} {
		if got, err := remapID(maps, tt.id); err != nil || got != tt.want {
			t.Errorf("remapID(%d) = %d, %v; want %d", tt.id, got, err, tt.want)
		}
	}
	// An id the maps leave out goes to one they leave out too.
	if got, err := remapID([]userns.IDMap{{ContainerID: 0, HostID: 0, Size: 10}}, 50); err != nil || got != 10 {
		t.Errorf("unmapped id went to %d, %v; want 10", got, err)
	}
}

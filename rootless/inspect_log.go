package rootless

import (
	"github.com/docker/go-units"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/monitor"
	"github.com/rl-containers/rl/rootless/store"
)

// LogConfig is inspect's HostConfig.LogConfig, podman's: the driver, the
// log's path ("" when the driver keeps none), its tag and its largest
// size as podman prints it (1.5kB, 400MB; 0B: no limit).
type LogConfig struct {
	Type string `json:"Type"`
	Path string `json:"Path"`
	Tag  string `json:"Tag"`
	Size string `json:"Size"`
}

// logConfig is the LogConfig of the container c with the log options l.
func logConfig(c *store.Container, l config.Log) LogConfig {
	driver := l.Driver
	if driver == "" {
		driver = config.LogK8sFile
	}
	return LogConfig{Type: driver, Path: monitor.LogPath(c, l), Tag: l.Tag, Size: units.HumanSize(float64(l.Size))}
}

package monitor

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/config"
	"github.com/rl-containers/rl/rootless/store"
)

// Spawned is a container's monitor, started and waiting for its go, so
// that its start-up (a whole rl's) overlaps with the container's creation.
type Spawned struct {
	cmd    *exec.Cmd
	goW    *os.File // the monitor's fd 4: a byte is go, EOF is give up
	result *os.File // its fd 3
	errR   *os.File // its fd 2
}

// Spawn starts the monitor of the container id in store s, which waits
// until Start or Abort.
func Spawn(s store.Store, id string) (*Spawned, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding rl: %w", err)
	}
	arg, err := json.Marshal(monitorArgs{Store: s, ID: id})
	if err != nil {
		return nil, err
	}
	var p [3][2]*os.File // result, stderr, go: read and write ends
	for i := range p {
		if p[i][0], p[i][1], err = os.Pipe(); err != nil {
			for _, made := range p[:i] {
				closeAll(made[:]...)
			}
			return nil, err
		}
	}
	// ps shows it as "rl monitor ID", as conmon shows podman's.
	cmd := &exec.Cmd{Path: self, Args: []string{"rl", "monitor", id[:12]}}
	cmd.Env = append(os.Environ(), envMonitor+"="+string(arg))
	cmd.Dir = "/"
	cmd.Stderr = p[1][1]
	cmd.ExtraFiles = []*os.File{p[0][1], p[2][0]}
	// A session of its own: the monitor outlives the terminal and the
	// shell that started it.
	cmd.SysProcAttr = &unix.SysProcAttr{Setsid: true}
	err = cmd.Start()
	closeAll(p[0][1], p[1][1], p[2][0])
	if err != nil {
		closeAll(p[0][0], p[1][0], p[2][1])
		return nil, fmt.Errorf("starting the container's monitor: %w", err)
	}
	store.Crashpoint("monitor")
	return &Spawned{cmd: cmd, goW: p[2][1], result: p[0][0], errR: p[1][0]}, nil
}

// Start tells the monitor to start its container, which exists by now, and
// returns once the container's command runs, or with the reason it could
// not start.
func (m *Spawned) Start() error {
	defer m.result.Close()
	_, err := m.goW.Write([]byte{1})
	m.goW.Close()
	if err != nil {
		m.errR.Close()
		return m.died()
	}
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(os.Stderr, m.errR)
		m.errR.Close()
		close(copied)
	}()
	var r Result
	if err := json.NewDecoder(m.result).Decode(&r); err != nil {
		<-copied
		return m.died()
	}
	<-copied
	_ = m.cmd.Process.Release()
	return r.Err()
}

// died reaps a monitor that exited before it reported, so that its status
// is known.
func (m *Spawned) died() error {
	state, _ := m.cmd.Process.Wait()
	return fmt.Errorf("the container's monitor exited before starting it (%v)", state)
}

// Abort tells the monitor that there is no container to start; it exits
// at once.
func (m *Spawned) Abort() {
	closeAll(m.goW, m.result, m.errR)
	_, _ = m.cmd.Process.Wait()
}

// StartDetached starts c under a monitor of its own and returns once the
// container's command runs, or with the reason it could not start.
func StartDetached(c *store.Container) error {
	m, err := Spawn(c.Store, c.State.ID)
	if err != nil {
		return err
	}
	return m.Start()
}

// awaitGo waits, in the monitor, for the front end's go on f, meanwhile
// building encoding/json's codecs of the state and the record that it is
// about to read (the first use of a type walks all its fields' types).
func awaitGo(f *os.File) bool {
	go config.WarmCodec()
	var b [1]byte
	n, _ := f.Read(b[:])
	f.Close()
	return n == 1
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		f.Close()
	}
}

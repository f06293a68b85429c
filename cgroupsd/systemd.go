package cgroupsd

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	systemd "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"
)

// systemdTimeout bounds the D-Bus connection and calls.
const systemdTimeout = 10 * time.Second

// dialed is the outcome of dial. The connection lives as long as its
// context: cancel closes both.
type dialed struct {
	conn   *systemd.Conn
	cancel context.CancelFunc
	err    error
}

func (d dialed) close() {
	if d.conn != nil {
		d.conn.Close()
	}
	d.cancel()
}

// dial connects to the user's systemd in the background.
func dial() chan dialed {
	ch := make(chan dialed, 1)
	go func() {
		// The bus was seen to exist: the timeout only guards against a
		// hung user manager, for the dial and the calls that follow.
		ctx, cancel := context.WithTimeout(context.Background(), systemdTimeout)
		conn, err := systemd.NewUserConnectionContext(ctx)
		if err != nil {
			err = fmt.Errorf("connecting to the systemd user manager: %w", err)
		}
		ch <- dialed{conn, cancel, err}
	}()
	return ch
}

// applySystemd asks the user's systemd for a transient scope holding pid,
// with Delegate=yes (the container may manage its own subtree) and r as
// unit properties, in the manner of podman and runc's systemd driver. The
// scope goes away by itself when its last process exits, also when rl was
// killed: systemd collects empty transient scopes.
func applySystemd(conn *systemd.Conn, pid int, r Resources, o Options) (*Cgroup, error) {
	props, err := r.properties()
	if err != nil {
		return nil, err
	}
	unit := "rl-" + o.ID[:12] + ".scope"
	props = append(props,
		systemd.PropDescription("rl container "+o.ID[:12]),
		systemd.PropPids(uint32(pid)),
		systemd.Property{Name: "Delegate", Value: dbus.MakeVariant(true)},
		systemd.Property{Name: "CollectMode", Value: dbus.MakeVariant("inactive-or-failed")},
	)
	if o.Parent != "" {
		props = append(props, systemd.PropSlice(o.Parent))
	}
	if err := runJob(unit, func(ctx context.Context, done chan<- string) (int, error) {
		return conn.StartTransientUnitContext(ctx, unit, "fail", props, done)
	}); err != nil {
		return nil, fmt.Errorf("starting the systemd scope: %w", err)
	}
	path, err := OwnCgroup(fmt.Sprint(pid))
	if err != nil {
		return nil, err
	}
	return &Cgroup{Manager: Systemd, Path: path, Enforced: Available(path)}, nil
}

// ioDevice is one entry of systemd's per-device io properties, a(st).
type ioDevice struct {
	Path  string
	Value uint64
}

// properties are r as systemd unit properties (systemd.resource-control(5)).
func (r Resources) properties() ([]systemd.Property, error) {
	var p []systemd.Property
	add := func(name string, v any) { p = append(p, systemd.Property{Name: name, Value: dbus.MakeVariant(v)}) }
	limit := func(v int64) uint64 {
		if v < 0 {
			return math.MaxUint64 // infinity
		}
		return uint64(v)
	}
	if r.MemoryMax != 0 {
		add("MemoryMax", limit(r.MemoryMax))
	}
	if r.MemoryMin != 0 {
		add("MemoryMin", limit(r.MemoryMin))
	}
	if r.MemoryLow != 0 {
		add("MemoryLow", limit(r.MemoryLow))
	}
	if r.MemoryHigh != 0 {
		add("MemoryHigh", limit(r.MemoryHigh))
	}
	if r.SwapSet {
		add("MemorySwapMax", limit(r.MemorySwapMax))
	}
	if r.CPUQuota != 0 {
		add("CPUQuotaPeriodUSec", r.period())
		quota := uint64(math.MaxUint64)
		if r.CPUQuota > 0 {
			quota = uint64(r.CPUQuota) * 1000000 / r.period()
		}
		add("CPUQuotaPerSecUSec", quota)
	}
	if r.CPUWeight != 0 {
		add("CPUWeight", r.CPUWeight)
	}
	for _, s := range []struct{ name, list string }{{"AllowedCPUs", r.CPUs}, {"AllowedMemoryNodes", r.Mems}} {
		if s.list == "" {
			continue
		}
		bits, err := cpuSetBits(s.list)
		if err != nil {
			return nil, err
		}
		add(s.name, bits)
	}
	if r.PidsMax != 0 {
		add("TasksMax", limit(r.PidsMax))
	}
	if r.IOWeight != 0 {
		add("IOWeight", r.IOWeight)
	}
	names := map[string]string{
		"weight": "IODeviceWeight", "rbps": "IOReadBandwidthMax", "wbps": "IOWriteBandwidthMax",
		"riops": "IOReadIOPSMax", "wiops": "IOWriteIOPSMax",
	}
	byName := map[string][]ioDevice{}
	var order []string
	for _, d := range r.Devices {
		name := names[d.Key]
		if _, seen := byName[name]; !seen {
			order = append(order, name)
		}
		byName[name] = append(byName[name], ioDevice{d.Path, d.Value})
	}
	for _, name := range order {
		add(name, byName[name])
	}
	return p, nil
}

// attachSystemd moves pid into the scope unit.
func attachSystemd(unit string, pid int) error {
	d := <-dial()
	defer d.close()
	if d.err != nil {
		return d.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), systemdTimeout)
	defer cancel()
	return d.conn.AttachProcessesToUnit(ctx, unit, "/", []uint32{uint32(pid)})
}

// startSlice starts the transient slice unit with r as its properties.
func startSlice(unit string, r Resources) error {
	d := <-dial()
	defer d.close()
	if d.err != nil {
		return d.err
	}
	props, err := r.properties()
	if err != nil {
		return err
	}
	props = append(props, systemd.PropDescription("rl pod "+unit))
	return runJob(unit, func(ctx context.Context, done chan<- string) (int, error) {
		return d.conn.StartTransientUnitContext(ctx, unit, "fail", props, done)
	})
}

// stopSlice stops the slice unit; one that is gone is fine.
func stopSlice(unit string) error {
	d := <-dial()
	defer d.close()
	if d.err != nil {
		return d.err
	}
	err := runJob(unit, func(ctx context.Context, done chan<- string) (int, error) {
		return d.conn.StopUnitContext(ctx, unit, "fail", done)
	})
	var dbusErr dbus.Error
	if errors.As(err, &dbusErr) && dbusErr.Name == "org.freedesktop.systemd1.NoSuchUnit" {
		return nil
	}
	return err
}

// runJob starts a systemd job on unit and waits for it to be done.
func runJob(unit string, start func(ctx context.Context, done chan<- string) (int, error)) error {
	ctx, cancel := context.WithTimeout(context.Background(), systemdTimeout)
	defer cancel()
	done := make(chan string, 1)
	if _, err := start(ctx, done); err != nil {
		return fmt.Errorf("systemd unit %s: %w", unit, err)
	}
	select {
	case result := <-done:
		if result != "done" {
			return fmt.Errorf("systemd unit %s: job %s", unit, result)
		}
	case <-ctx.Done():
		return fmt.Errorf("systemd unit %s: %w", unit, ctx.Err())
	}
	return nil
}

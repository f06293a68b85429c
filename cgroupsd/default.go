package cgroupsd

// Default is the manager rl uses when none is asked for (rl info):
// Systemd, Cgroupfs or None.
func Default() string { return pick() }

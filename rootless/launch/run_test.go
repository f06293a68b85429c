package launch

import (
	"errors"
	"os"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/network"
	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// messageOf is the message each sending step sends.
var messageOf = map[Step]handshake.Kind{
	StepBegin: handshake.Begin, StepStart: handshake.Start, StepPlaced: handshake.Placed,
	StepJoin: handshake.Join, StepRemove: handshake.Remove,
}

// fakeChild plays rl-init over a socket pair: it reads n messages, then
// answers with reply (nil: Exec, as after a successful setup) and closes
// its end, as rl-init's exec does.
type fakeChild struct {
	got  []handshake.Message
	done chan struct{}
}

func startFake(t *testing.T, n int, reply *handshake.Message) (*fakeChild, *Process) {
	t.Helper()
	parent, child, err := handshake.Pair()
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeChild{done: make(chan struct{})}
	go func() {
		defer close(f.done)
		defer child.Close()
		for range n {
			m, _, err := handshake.Recv(int(child.Fd()))
			if err != nil {
				return
			}
			f.got = append(f.got, m)
		}
		if reply == nil {
			reply = &handshake.Message{Kind: handshake.Exec}
		}
		_ = handshake.Send(int(child.Fd()), *reply)
	}()
	p := &Process{
		Pid:  4242,
		sock: parent,
		wait: func() unix.WaitStatus { <-f.done; return 0 },
		// rl-init dies: the fake reads what was sent, then EOF.
		kill: func() { parent.Close() },
	}
	return f, p
}

// recorder is a world whose steps note what they were asked.
type recorder struct {
	calls []string
	fail  string // the step to fail
}

func (r *recorder) world(p *Process) world {
	note := func(name string) error {
		r.calls = append(r.calls, name)
		if r.fail == name {
			return errors.New(name + " failed")
		}
		return nil
	}
	return world{
		clone: func(uintptr, [3]*os.File, []*os.File) (*Process, error) { return p, note("clone") },
		maps:  func(pid int, _ userns.Mappings) error { return note("maps") },
		network: func(pid int, _ bool, _ network.Mode, _ []network.PortMapping, _ string) (*network.Network, error) {
			return &network.Network{Interface: &spec.Interface{Dev: "tap0"}}, note("network")
		},
		place: func(*cgroupsd.Pending, int) (*cgroupsd.Cgroup, []string, error) {
			return nil, []string{"not enforced"}, note("place")
		},
		attach: func(_, _ string, pid int) error { return note("attach") },
	}
}

// TestRunnerSpeaksThePlan runs each variant against a fake rl-init and
// checks that the messages it got are the plan's, in order.
func TestRunnerSpeaksThePlan(t *testing.T) {
	for _, v := range []Variant{
		{Kind: Container}, {Kind: Container, Places: true}, {Kind: Container, Privileged: true},
		{Kind: Container, KeepID: true}, {Kind: Container, Infra: true}, {Kind: PodMember},
		{Kind: Exec, Places: true},
	} {
		t.Run(string(v.Kind), func(t *testing.T) {
			plan := PlanFor(v)
			var want []handshake.Kind
			for _, s := range plan.Steps {
				if k, ok := messageOf[s]; ok {
					want = append(want, k)
				}
			}
			child, p := startFake(t, len(want), nil)
			rec := &recorder{}
			o := Options{Variant: v, Target: 77, Spec: &spec.Spec{ID: "x"}, Paths: []string{"/gone"}}
			l, err := rec.world(p).run(o)
			if err != nil {
				t.Fatal(err)
			}
			if code := l.Wait(); code != 0 {
				t.Errorf("exit code %d", code)
			}
			var got []handshake.Kind
			for _, m := range child.got {
				got = append(got, m.Kind)
			}
			if !slices.Equal(got, want) {
				t.Errorf("messages %v, want %v", got, want)
			}
			for _, m := range child.got {
				if m.Kind == handshake.Start && m.Spec.AwaitCgroup != slices.Contains(plan.Steps, StepPlaced) {
					t.Errorf("start's await_cgroup is %t, but the plan sends placed: %t", m.Spec.AwaitCgroup, !m.Spec.AwaitCgroup)
				}
			}
			begin := child.got[0]
			if begin.Variant != plan.Begin || begin.Target != 77 {
				t.Errorf("begin %+v, want variant %q and target 77", begin, plan.Begin)
			}
			if slices.Contains(plan.Steps, StepNetwork) {
				if o.Spec.Interface == nil || o.Spec.Interface.Dev != "tap0" {
					t.Errorf("the spec sent lacks the network's interface: %+v", o.Spec.Interface)
				}
			}
			if slices.Contains(plan.Steps, StepPlace) && !slices.Equal(l.Warnings, []string{"not enforced"}) {
				t.Errorf("warnings %v", l.Warnings)
			}
		})
	}
}

// TestRunnerFailures: a Failed message becomes an ExitError with rl-init's
// code and errno; a failing step stops the launch there and kills
// rl-init.
func TestRunnerFailures(t *testing.T) {
	v := Variant{Kind: Container}
	failed := &handshake.Message{Kind: handshake.Failed, Error: &handshake.Error{Op: "executing nope", Msg: "not found", Errno: int(unix.ENOENT), Code: 127}}
	_, p := startFake(t, 2, failed)
	_, err := (&recorder{}).world(p).run(Options{Variant: v, Spec: &spec.Spec{}})
	if ExitCode(err) != 127 || !errors.Is(err, unix.ENOENT) {
		t.Errorf("err %v (code %d), want code 127 wrapping ENOENT", err, ExitCode(err))
	}

	child, p := startFake(t, 99, nil)
	rec := &recorder{fail: "network"}
	_, err = rec.world(p).run(Options{Variant: v, Spec: &spec.Spec{}, Network: network.Mode{Name: "pasta"}})
	if err == nil || err.Error() != "starting the pasta network: network failed" {
		t.Errorf("err %v", err)
	}
	if !slices.Equal(rec.calls, []string{"clone", "maps", "network"}) {
		t.Errorf("steps run %v: none may follow the failed one", rec.calls)
	}
	<-child.done // killed: its socket closed
	if len(child.got) != 1 || child.got[0].Kind != handshake.Begin {
		t.Errorf("rl-init got %v before the failure", child.got)
	}

	denied := &handshake.Message{Kind: handshake.Failed, Error: &handshake.Error{Op: "removing /x", Msg: "permission denied", Errno: int(unix.EACCES), Code: 125}}
	_, p = startFake(t, 2, denied)
	_, err = (&recorder{}).world(p).run(Options{Variant: Variant{Kind: Remove}, Paths: []string{"/x"}})
	if !errors.Is(err, unix.EACCES) {
		t.Errorf("removal: err %v, want rl-init's EACCES", err)
	}
}

// TestBootThenRun: a boot carries out the steps that need no container and
// the launch of the same variant goes on from there, rl-init getting the
// plan's messages once each; a launch of another variant kills the booted
// rl-init and starts afresh.
func TestBootThenRun(t *testing.T) {
	v := Variant{Kind: Container}
	child, p := startFake(t, 2, nil)
	rec := &recorder{}
	w := rec.world(p)
	b, err := w.boot(Options{Variant: v})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.calls, []string{"clone", "maps"}) {
		t.Fatalf("the boot ran %v", rec.calls)
	}
	l, err := w.run(Options{Variant: v, Spec: &spec.Spec{ID: "x"}, Booted: b})
	if err != nil {
		t.Fatal(err)
	}
	l.Wait()
	if !slices.Equal(rec.calls, []string{"clone", "maps", "network", "place"}) {
		t.Errorf("boot and launch ran %v", rec.calls)
	}
	var got []handshake.Kind
	for _, m := range child.got {
		got = append(got, m.Kind)
	}
	if !slices.Equal(got, []handshake.Kind{handshake.Begin, handshake.Start}) {
		t.Errorf("messages %v", got)
	}

	booted, p := startFake(t, 99, nil)
	rec = &recorder{}
	w = rec.world(p)
	if b, err = w.boot(Options{Variant: v}); err != nil {
		t.Fatal(err)
	}
	fresh, q := startFake(t, 2, nil)
	w.clone = func(uintptr, [3]*os.File, []*os.File) (*Process, error) { return q, nil }
	l, err = w.run(Options{Variant: Variant{Kind: Container, Infra: true}, Spec: &spec.Spec{}, Booted: b})
	if err != nil {
		t.Fatal(err)
	}
	l.Wait()
	<-booted.done // killed: its socket closed
	if len(booted.got) != 1 || len(fresh.got) != 2 {
		t.Errorf("the booted rl-init got %d messages, the fresh one %d", len(booted.got), len(fresh.got))
	}
}

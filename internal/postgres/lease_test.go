package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cloud-pi-native/parcours/internal/pgtest"
)

// fast shortens a lease's delays so that tests do not wait seconds.
func fast(l *Lease) *Lease {
	l.TTL, l.Renew, l.Retry = 600*time.Millisecond, 100*time.Millisecond, 50*time.Millisecond
	return l
}

// replica is a process in an election: its lease, and a channel told when it starts leading.
type replica struct {
	db     *DB
	lease  *Lease
	leads  chan int64 // the epoch, each time it starts leading
	cancel context.CancelFunc
	done   chan struct{}
}

func runReplica(t *testing.T, db *DB) *replica {
	t.Helper()
	r := &replica{db: db, lease: fast(db.Lease("consumer", nil)), leads: make(chan int64, 16), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(bg)
	r.cancel = cancel
	go func() {
		defer close(r.done)
		r.lease.Run(ctx, func(ctx context.Context) {
			r.leads <- r.lease.Epoch()
			<-ctx.Done()
		})
	}()
	t.Cleanup(func() { cancel(); <-r.done })
	return r
}

// waitLead returns the replica that starts leading first, and its epoch.
func waitLead(t *testing.T, rs ...*replica) (*replica, int64) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		for _, r := range rs {
			select {
			case e := <-r.leads:
				return r, e
			default:
			}
		}
		select {
		case <-deadline:
			t.Fatal("aucun réplica ne prend la main")
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// One replica leads; stopped cleanly, it releases the lease and another takes over with a newer
// epoch; killed (its database unreachable, nothing released), another takes over once its lease
// has run out, and by then the dead one's own deadline has passed: two replicas never both
// believe they lead.
func TestLeaseOneLeaderAndTakeOver(t *testing.T) {
	url := pgtest.URL(t)
	rs := []*replica{runReplica(t, open(t, url)), runReplica(t, open(t, url)), runReplica(t, open(t, url))}
	first, e1 := waitLead(t, rs...)
	if e1 <= 0 {
		t.Fatalf("époque %d", e1)
	}
	for _, r := range rs {
		if r != first && r.lease.Epoch() != 0 {
			t.Fatalf("deux réplicas mènent à la fois (%s et %s)", first.db.Instance, r.db.Instance)
		}
	}
	info, err := first.lease.Info(bg)
	if err != nil || info.Holder != first.db.Instance || info.Epoch != e1 || !info.Valid {
		t.Fatalf("bail en base %+v (%v), attendu %s époque %d", info, err, first.db.Instance, e1)
	}

	// clean stop: released at once
	first.cancel()
	<-first.done
	rest := others(rs, first)
	second, e2 := waitLead(t, rest...)
	if e2 <= e1 {
		t.Fatalf("époque %d après %d", e2, e1)
	}

	// crash: the leader's connections are cut, nothing is released
	second.db.Close()
	third, e3 := waitLead(t, others(rest, second)...)
	if _, leads := second.lease.Deadline(); leads {
		t.Fatal("l'ancien meneur se croit encore en place alors qu'un autre a pris la main")
	}
	if e3 <= e2 {
		t.Fatalf("époque %d après %d", e3, e2)
	}
	_ = third
}

func others(rs []*replica, not *replica) []*replica {
	var out []*replica
	for _, r := range rs {
		if r != not {
			out = append(out, r)
		}
	}
	return out
}

// staleLeader makes a replica that won the lease once and then froze: it never renews, and
// believes it leads whatever the database says (a paused process, a clock gone wrong).
func staleLeader(t *testing.T, d *DB) *Lease {
	t.Helper()
	l := fast(d.Lease("consumer", nil))
	e, err := l.acquire(bg)
	if err != nil || e == 0 {
		t.Fatalf("bail non pris: %d %v", e, err)
	}
	l.epoch, l.deadline = e, time.Now().Add(time.Hour)
	return l
}

// Claims are the at-most-once of replies: exactly one claim per post among concurrent callers;
// a replica without the lease cannot claim nor move the position, even when it believes it
// leads; a claim left undone by a dead leader is taken over by the next one, a done one is not.
func TestClaimsFencedByTheLease(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	la := staleLeader(t, a)
	pa := a.Progress(la)
	if ok, err := pa.Claim(bg, "p1", 1000); !ok || err != nil {
		t.Fatalf("réservation par le meneur: %v %v", ok, err)
	}
	if ok, err := pa.Claim(bg, "p1", 1000); ok || err != nil {
		t.Fatalf("seconde réservation du même message: %v %v", ok, err)
	}
	if ok, err := pa.Claim(bg, "p2", 1001); !ok || err != nil {
		t.Fatalf("réservation: %v %v", ok, err)
	}
	if err := pa.MarkHandled(bg, "p2", 1001, 1001); err != nil {
		t.Fatal(err)
	}

	// b runs for the lease: it gets it once a's has run out (a never renews)
	rb := runReplica(t, b)
	_, eb := waitLead(t, rb)
	pb := b.Progress(rb.lease)
	if eb <= la.epoch {
		t.Fatalf("époque %d après %d", eb, la.epoch)
	}
	if _, err := pa.Claim(bg, "p3", 1002); !errors.Is(err, ErrNotLeader) {
		t.Fatalf("réservation par l'ancien meneur: %v, attendu ErrNotLeader", err)
	}
	if err := pa.SavePosition(bg, 5000); !errors.Is(err, ErrNotLeader) {
		t.Fatalf("position par l'ancien meneur: %v, attendu ErrNotLeader", err)
	}
	if ok, err := pb.Claim(bg, "p1", 1000); !ok || err != nil {
		t.Fatalf("reprise d'une réservation laissée par un meneur mort: %v %v", ok, err)
	}
	if ok, err := pb.Claim(bg, "p2", 1001); ok || err != nil {
		t.Fatalf("message déjà répondu réservé de nouveau: %v %v", ok, err)
	}
	if h, err := pb.Handled(bg, "p2", 1001); !h || err != nil {
		t.Fatalf("message répondu non reconnu: %v %v", h, err)
	}

	// concurrent claims, from the leader and from the stale one: one winner per post, always
	// the leader
	var mu sync.Mutex
	wins := map[string]int{}
	var wg sync.WaitGroup
	for i := range 80 {
		p, by := pb, "b"
		if i%3 == 2 {
			p, by = pa, "a"
		}
		wg.Go(func() {
			post := fmt.Sprint("q", i%20)
			ok, err := p.Claim(bg, post, int64(2000+i%20))
			if err != nil && !(by == "a" && errors.Is(err, ErrNotLeader)) {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins[post+by]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for i := range 20 {
		post := fmt.Sprint("q", i)
		if wins[post+"b"] != 1 || wins[post+"a"] != 0 {
			t.Fatalf("%s réservé %d fois par le meneur, %d par l'ancien", post, wins[post+"b"], wins[post+"a"])
		}
	}

	// the position moves forward only
	for _, pos := range []int64{3000, 2500} {
		if err := pb.SavePosition(bg, pos); err != nil {
			t.Fatal(err)
		}
	}
	if pos, err := pa.Position(bg); pos != 3000 || err != nil {
		t.Fatalf("position %d (%v), attendu 3000", pos, err)
	}
}

// A replica without the lease refuses to claim at all, before asking the database.
func TestClaimWithoutLease(t *testing.T) {
	d := open(t, pgtest.URL(t))
	p := d.Progress(d.Lease("consumer", nil))
	if _, err := p.Claim(bg, "p", 1); !errors.Is(err, ErrNotLeader) {
		t.Fatalf("réservation sans bail: %v", err)
	}
	if err := p.SavePosition(bg, 1); !errors.Is(err, ErrNotLeader) {
		t.Fatalf("position sans bail: %v", err)
	}
	if pos, err := p.Position(bg); pos != 0 || err != nil {
		t.Fatalf("position %d %v", pos, err)
	}
}

// A reindex on one replica reaches the others at once (LISTEN/NOTIFY), not the one that made
// it; a replica that was not listening catches up from the version row when it comes back.
func TestVersionReachesOtherReplicas(t *testing.T) {
	url := pgtest.URL(t)
	va, vb := open(t, url).Version("kb", nil), open(t, url).Version("kb", nil)
	if n, err := vb.Current(bg); n != 0 || err != nil {
		t.Fatalf("version initiale %d %v", n, err)
	}
	got := make(chan int64, 8)
	listen := func(v *Version) context.CancelFunc {
		ctx, cancel := context.WithCancel(bg)
		done := make(chan struct{})
		go func() {
			defer close(done)
			v.Run(ctx, func(_ context.Context, n int64) { got <- n })
		}()
		return func() { cancel(); <-done }
	}
	stopB := listen(vb)
	expect := func(want int64) {
		t.Helper()
		select {
		case n := <-got:
			if n != want {
				t.Fatalf("version %d reçue, attendu %d", n, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("version %d jamais reçue", want)
		}
	}
	if n, err := va.Bump(bg); n != 1 || err != nil {
		t.Fatalf("Bump: %d %v", n, err)
	}
	expect(1)
	if _, err := vb.Bump(bg); err != nil { // b's own reindex: b is not told
		t.Fatal(err)
	}
	if _, err := va.Bump(bg); err != nil {
		t.Fatal(err)
	}
	expect(3)
	stopB()
	if _, err := va.Bump(bg); err != nil {
		t.Fatal(err)
	}
	stopB = listen(vb)
	defer stopB()
	expect(4)
}

// A leader whose connections are all taken by users' requests still renews its lease: the
// lease has connections of its own.
func TestLeaseRenewedWhilePoolIsBusy(t *testing.T) {
	d := open(t, pgtest.URL(t))
	r := runReplica(t, d)
	_, epoch := waitLead(t, r)
	var held []interface{ Release() }
	for range d.pool.Config().MaxConns {
		c, err := d.pool.Acquire(bg)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	time.Sleep(3 * r.lease.TTL)
	if e := r.lease.Epoch(); e != epoch {
		t.Errorf("époque %d après %v de pool saturé, attendu %d : le bail a été perdu", e, 3*r.lease.TTL, epoch)
	}
	for _, c := range held {
		c.Release()
	}
}

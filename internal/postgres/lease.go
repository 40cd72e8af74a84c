package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
)

// Lease defaults: a dead leader's lease runs out within DefaultLeaseTTL, and a standby tries
// every DefaultLeaseRetry, so another replica leads within their sum (6 s), well under the
// 10 s promised; the leader renews every DefaultLeaseRenew.
const (
	DefaultLeaseTTL   = 5 * time.Second
	DefaultLeaseRenew = time.Second
	DefaultLeaseRetry = time.Second
)

// ErrNotLeader is returned by the writes only the lease holder may make, when this replica does
// not hold the lease (any more).
var ErrNotLeader = errors.New("ce réplica ne détient pas le bail du consommateur d'événements")

// errLeaseLost and errLeaseExpired end a term.
var (
	errLeaseLost    = errors.New("bail perdu : un autre réplica l'a pris")
	errLeaseExpired = errors.New("bail expiré sans renouvellement")
)

// Lease elects one replica among those sharing the database for a role (the event consumer): a
// row with the holder, an epoch that grows at each new term and an expiry on the database's
// clock. The holder renews it; when it dies, the row expires and a standby takes it. A lease
// rather than a session advisory lock: it survives connection poolers (PgBouncer in transaction
// mode) and gives every term a number that fences the writes of a former leader.
//
// The holder also keeps a local deadline, counted from before each renewal was sent, so it is
// never later than the expiry the database recorded: past it the term is over for this process
// even if the database cannot be reached to say so (Deadline).
type Lease struct {
	d    *DB
	name string
	log  *zap.Logger
	// TTL, Renew and Retry may be changed before Run (tests shorten them).
	TTL, Renew, Retry time.Duration
	// OnChange, when set before Run, is told each time this replica starts or stops leading.
	OnChange func(leading bool)

	mu       sync.Mutex
	epoch    int64 // the current term; 0 when not leading
	deadline time.Time
}

// Lease returns the election for the role name.
func (d *DB) Lease(name string, log *zap.Logger) *Lease {
	if log == nil {
		log = zap.NewNop()
	}
	return &Lease{d: d, name: name, log: log, TTL: DefaultLeaseTTL, Renew: DefaultLeaseRenew, Retry: DefaultLeaseRetry}
}

// Holder is this replica's name in the lease.
func (l *Lease) Holder() string { return l.d.Instance }

// Epoch is the current term of this replica, 0 when it does not lead.
func (l *Lease) Epoch() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch != 0 && time.Now().After(l.deadline) {
		return 0
	}
	return l.epoch
}

// Deadline is the time until which this replica surely leads (its local clock), and whether it
// leads at all. Writes outside the database, such as a reply on Mattermost, are bounded by it.
func (l *Lease) Deadline() (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch == 0 || time.Now().After(l.deadline) {
		return time.Time{}, false
	}
	return l.deadline, true
}

// Run campaigns until ctx ends. Each time this replica wins the lease, lead runs with a context
// that ends when the term does (lease lost or not renewed in time) or when ctx does; when lead
// returns the lease is released, so that a standby takes over at once on a clean stop, and Run
// campaigns again unless ctx has ended.
func (l *Lease) Run(ctx context.Context, lead func(ctx context.Context)) {
	for ctx.Err() == nil {
		t0 := time.Now()
		epoch, err := l.acquire(ctx)
		if err != nil && ctx.Err() == nil {
			l.log.Warn("lease: campaign failed", zap.String("lease", l.name), zap.Error(err))
		}
		if epoch == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(l.Retry):
			}
			continue
		}
		l.term(ctx, epoch, t0.Add(l.TTL), lead)
		if ctx.Err() == nil {
			// lead gave up on its own (or the term ended): let another replica try first.
			select {
			case <-ctx.Done():
			case <-time.After(l.Retry):
			}
		}
	}
}

// term runs one term: lead, while keep renews the lease.
func (l *Lease) term(ctx context.Context, epoch int64, deadline time.Time, lead func(context.Context)) {
	l.mu.Lock()
	l.epoch, l.deadline = epoch, deadline
	l.mu.Unlock()
	l.log.Info("lease: leading", zap.String("lease", l.name), zap.String("holder", l.d.Instance), zap.Int64("epoch", epoch))
	if l.OnChange != nil {
		l.OnChange(true)
	}
	tctx, end := context.WithCancelCause(ctx)
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		l.keep(tctx, end, epoch, deadline)
	}()
	lead(tctx)
	end(nil)
	<-kept
	l.mu.Lock()
	l.epoch, l.deadline = 0, time.Time{}
	l.mu.Unlock()
	if l.OnChange != nil {
		l.OnChange(false)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := l.release(rctx, epoch); err != nil {
		l.log.Warn("lease: release failed, it will expire", zap.String("lease", l.name), zap.Error(err))
	}
	l.log.Info("lease: term over", zap.String("lease", l.name), zap.Int64("epoch", epoch), zap.NamedError("why", context.Cause(tctx)))
}

// keep renews the lease every Renew until ctx ends, and ends the term when the lease is taken or
// its local deadline passes without a renewal.
func (l *Lease) keep(ctx context.Context, end context.CancelCauseFunc, epoch int64, deadline time.Time) {
	expire := time.AfterFunc(time.Until(deadline), func() { end(errLeaseExpired) })
	defer expire.Stop()
	tick := time.NewTicker(l.Renew)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		t0 := time.Now()
		rctx, cancel := context.WithTimeout(ctx, l.Renew)
		ok, err := l.renew(rctx, epoch)
		cancel()
		switch {
		case err != nil:
			if ctx.Err() == nil {
				l.log.Warn("lease: renewal failed", zap.String("lease", l.name), zap.Error(err))
			}
		case !ok:
			end(errLeaseLost)
			return
		default:
			l.mu.Lock()
			if l.epoch == epoch {
				l.deadline = t0.Add(l.TTL)
			}
			l.mu.Unlock()
			expire.Reset(time.Until(t0.Add(l.TTL)))
		}
	}
}

func (l *Lease) ms(d time.Duration) int64 { return d.Milliseconds() }

// acquire takes the lease when it is free or expired; the new epoch, or 0 when another replica
// holds it.
func (l *Lease) acquire(ctx context.Context) (int64, error) {
	var epoch int64
	err := l.d.lpool.QueryRow(ctx, `INSERT INTO leases (name, holder, epoch, expires_at)
		VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
		ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, epoch = leases.epoch + 1, expires_at = EXCLUDED.expires_at
		WHERE leases.expires_at <= now()
		RETURNING epoch`, l.name, l.d.Instance, l.ms(l.TTL)).Scan(&epoch)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("prise du bail %s: %w", l.name, err)
	}
	return epoch, nil
}

// renew extends the lease of the term; false when it is no longer this term's.
func (l *Lease) renew(ctx context.Context, epoch int64) (bool, error) {
	tag, err := l.d.lpool.Exec(ctx, `UPDATE leases SET expires_at = now() + $4 * interval '1 millisecond'
		WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > now()`, l.name, l.d.Instance, epoch, l.ms(l.TTL))
	if err != nil {
		return false, fmt.Errorf("renouvellement du bail %s: %w", l.name, err)
	}
	return tag.RowsAffected() == 1, nil
}

// release ends the term in the database: the lease is free at once.
func (l *Lease) release(ctx context.Context, epoch int64) error {
	_, err := l.d.lpool.Exec(ctx, `UPDATE leases SET expires_at = now() WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > now()`,
		l.name, l.d.Instance, epoch)
	if err != nil {
		return fmt.Errorf("libération du bail %s: %w", l.name, err)
	}
	return nil
}

// LeaseInfo describes who holds a lease.
type LeaseInfo struct {
	Holder  string
	Epoch   int64
	Expires time.Time
	Valid   bool // not expired
}

// Info reads who holds the lease now.
func (l *Lease) Info(ctx context.Context) (LeaseInfo, error) {
	var i LeaseInfo
	err := l.d.lpool.QueryRow(ctx, "SELECT holder, epoch, expires_at, expires_at > now() FROM leases WHERE name = $1", l.name).
		Scan(&i.Holder, &i.Epoch, &i.Expires, &i.Valid)
	if errors.Is(err, pgx.ErrNoRows) {
		return i, nil
	}
	if err != nil {
		return i, fmt.Errorf("lecture du bail %s: %w", l.name, err)
	}
	return i, nil
}

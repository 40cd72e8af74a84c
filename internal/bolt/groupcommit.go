package bolt

import (
	"sync"

	bbolt "go.etcd.io/bbolt"
)

// groupCommit runs write functions in shared transactions: while one
// transaction commits, the writes that arrive wait together and go in the
// next one. Under load, one commit (and one fsync) serves many users; alone,
// a write waits for nothing. bbolt's own Batch waits a fixed delay (10 ms by
// default) before every commit, which dominated the latency of a step.
type groupCommit struct {
	db      *bbolt.DB
	mu      sync.Mutex
	pending []groupOp
	running bool
}

type groupOp struct {
	fn   func(*bbolt.Tx) error
	done chan error
}

// update runs fn in a write transaction shared with concurrent callers and
// returns once it is committed. fn may run more than once (when another
// function of the group fails, each is run again alone), so it must only
// depend on the transaction it is given.
func (g *groupCommit) update(fn func(*bbolt.Tx) error) error {
	done := make(chan error, 1)
	g.mu.Lock()
	g.pending = append(g.pending, groupOp{fn, done})
	if !g.running {
		g.running = true
		go g.loop()
	}
	g.mu.Unlock()
	return <-done
}

func (g *groupCommit) loop() {
	for {
		g.mu.Lock()
		ops := g.pending
		g.pending = nil
		if len(ops) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()

		failed := -1
		err := g.db.Update(func(tx *bbolt.Tx) error {
			for i, op := range ops {
				if err := op.fn(tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if err == nil {
			for _, op := range ops {
				op.done <- nil
			}
			continue
		}
		if failed < 0 || len(ops) == 1 {
			// The commit itself failed (or a lone function did): report it
			// to every caller, nothing was written.
			for _, op := range ops {
				op.done <- err
			}
			continue
		}
		// One function failed and rolled back the others: run each alone,
		// so that one bad write does not fail its neighbours.
		for _, op := range ops {
			op.done <- g.db.Update(op.fn)
		}
	}
}

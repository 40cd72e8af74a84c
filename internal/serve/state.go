package serve

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/bolt"
	"github.com/cloud-pi-native/parcours/internal/config"
	"github.com/cloud-pi-native/parcours/internal/diagnostic"
	"github.com/cloud-pi-native/parcours/internal/mattermost"
	"github.com/cloud-pi-native/parcours/internal/postgres"
	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/zap"
)

// Lease and version names in PostgreSQL.
const (
	leaseEvents = "mattermost-events"
	versionKB   = "knowledge-base"
)

// records is what the bot writes as it goes besides diagnostics: the same
// methods on bbolt and on PostgreSQL.
type records interface {
	RecordFeedback(answerID, postID, userID string, useful bool, at time.Time) (bool, error)
	MarkWelcomed(ctx context.Context, teamID, userID string) (bool, error)
	ForgetWelcome(ctx context.Context, teamID, userID string) error
}

// state is where the bot keeps what it knows: the bbolt file of the data
// folder (one process), or PostgreSQL when PARCOURS_DATABASE_URL is set
// (replicas: then a lease elects the one that reads Mattermost's events, and
// a version row makes a reindex reload them all).
type state struct {
	bolt  *bolt.DB     // nil with PostgreSQL
	admin *http.Server // bbolt's admin socket (backups); nil if unavailable
	pg    *postgres.DB // nil with bbolt
	lease *postgres.Lease
	kb    *postgres.Version

	diag      diagnostic.Store
	progress  mattermost.Progress
	records   records
	analytics analytics.Store
	key       []byte
}

func openState(ctx context.Context, cfg *config.Config, log *zap.Logger) (*state, error) {
	if cfg.DatabaseURL != "" {
		return openShared(ctx, cfg, log)
	}
	key, err := cfg.LoadOrCreateKey()
	if err != nil {
		return nil, err
	}
	db, err := bolt.Open(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	st := &state{bolt: db, records: db, key: key}
	if st.analytics, err = db.Analytics(); err != nil {
		db.Close()
		return nil, err
	}
	if st.diag, err = db.Diagnostics(); err != nil {
		db.Close()
		return nil, err
	}
	if st.progress, err = db.Progress(); err != nil {
		db.Close()
		return nil, err
	}
	// The admin socket: "parcours backup" gets a consistent copy of the
	// store from the running bot. Without it, backups need the bot stopped.
	if st.admin, err = ServeAdmin(cfg.DataDir, db); err != nil {
		log.Warn("admin socket unavailable: parcours backup will need the bot stopped", zap.Error(err))
	}
	return st, nil
}

func openShared(ctx context.Context, cfg *config.Config, log *zap.Logger) (*state, error) {
	db, err := postgres.Open(ctx, cfg.DatabaseURL, log.Named("postgres"))
	if err != nil {
		return nil, err
	}
	// A key configured is used as is; otherwise the first replica's is
	// shared, and that is the data folder's when it has one, so that the
	// buttons posted before the move to PostgreSQL keep working.
	key := cfg.ActionKey
	if len(key) == 0 {
		candidate, err := cfg.LoadOrCreateKey()
		if err == nil {
			key, err = db.SharedSecret(ctx, "action_key", candidate)
		}
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	lease := db.Lease(leaseEvents, log.Named("lease"))
	log.Info("state in PostgreSQL: replicas share it, one reads Mattermost's events at a time", zap.String("instance", db.Instance))
	return &state{pg: db, lease: lease, kb: db.Version(versionKB, log.Named("reindex")),
		diag: db.Diagnostics(), progress: db.Progress(lease), records: db, analytics: db.Analytics(), key: key}, nil
}

// close closes the store.
func (s *state) close() {
	if s.admin != nil {
		s.admin.Close()
	}
	if s.bolt != nil {
		s.bolt.Close()
	}
	if s.pg != nil {
		s.pg.Close()
	}
}

// lead runs f while this replica is the one reading Mattermost's events:
// always with bbolt, while it holds the lease with PostgreSQL.
func (s *state) lead(ctx context.Context, f func(ctx context.Context)) {
	if s.lease == nil {
		f(ctx)
		return
	}
	s.lease.Run(ctx, f)
}

// leading reports whether this replica reads Mattermost's events now.
func (s *state) leading() bool { return s.lease == nil || s.lease.Epoch() != 0 }

// fencedAPI posts the replies of the event consumer only while it surely
// holds the lease, and never past its local deadline: a former leader that
// has not noticed yet cannot post after another replica has taken over the
// posts it had claimed.
type fencedAPI struct {
	mattermost.API
	lease *postgres.Lease
}

var errNotLeading = errors.New("ce réplica ne lit plus les événements de Mattermost : réponse abandonnée")

func (f fencedAPI) CreatePost(ctx context.Context, p *model.Post) (*model.Post, error) {
	deadline, ok := f.lease.Deadline()
	if !ok {
		return nil, errNotLeading
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	return f.API.CreatePost(ctx, p)
}

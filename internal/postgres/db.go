// Package postgres is the shared store of parcours, on PostgreSQL (pgx), chosen by
// PARCOURS_DATABASE_URL so that several replicas can run: diagnostics, feedback, questions,
// welcomes, the position in the stream of posts, the button signing key, and what replicas
// coordinate with: the lease of the single event consumer, the claims that make each reply and
// each welcome happen once, and the version row that makes a reindex reload every replica.
//
// The schema is versioned by the numbered files of migrations/, embedded in the binary and
// applied at Open under a lock, so that replicas starting together migrate once.
package postgres

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key that serialises migrations ("parcours" in ASCII, cut).
const migrationLock int64 = 0x7061726300000001

// defaultMaxConns bounds the pool when the URL does not (pool_max_conns): replies in flight,
// clicks, the lease and the reindex listener share it.
const defaultMaxConns = 12

// DB is the open store.
type DB struct {
	pool *pgxpool.Pool
	// lpool serves the lease alone: a leader busy with many users at once
	// still renews in time.
	lpool *pgxpool.Pool
	url   string // kept to open the listener's own connection; never logged
	log   *zap.Logger
	// Instance names this process in leases and claims: the host name (the pod's name on
	// Kubernetes) and a random suffix.
	Instance string
}

// Open connects to the database at url (postgres://… or key=value), checks that it answers and
// applies the migrations it lacks. The URL may hold a password: it is never logged nor put in an
// error.
func Open(ctx context.Context, url string, log *zap.Logger) (*DB, error) {
	if log == nil {
		log = zap.NewNop()
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL: not repeated.
		return nil, errors.New("PARCOURS_DATABASE_URL illisible : attendu postgres://utilisateur:motdepasse@hôte:5432/base?sslmode=require")
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "parcours"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connexion à PostgreSQL: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connexion à PostgreSQL (%s:%d, base %s): %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	lcfg := cfg.Copy()
	lcfg.MaxConns, lcfg.MinConns = 2, 1
	lpool, err := pgxpool.NewWithConfig(ctx, lcfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("connexion à PostgreSQL: %w", err)
	}
	d := &DB{pool: pool, lpool: lpool, url: url, log: log, Instance: instanceName()}
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the connections.
func (d *DB) Close() error {
	d.pool.Close()
	d.lpool.Close()
	return nil
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.pool.Ping(ctx); err != nil {
		return fmt.Errorf("PostgreSQL ne répond pas: %w", err)
	}
	return nil
}

func instanceName() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "parcours"
	}
	var b [3]byte
	rand.Read(b[:])
	return h + "-" + hex.EncodeToString(b[:])
}

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads migrations/NNNN_name.sql, in version order.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration mal nommée: %s (attendu NNNN_nom.sql)", e.Name())
		}
		data, err := migrations.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(data)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("deux migrations de version %d", out[i].version)
		}
	}
	return out, nil
}

// migrate applies the migrations the database lacks, all in one transaction under an advisory
// lock: PostgreSQL's DDL is transactional, so replicas starting together migrate once, and a
// failed migration leaves the schema as it was.
func (d *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("migrations intégrées: %w", err)
	}
	err = pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT version FROM schema_migrations")
		if err != nil {
			return err
		}
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			return err
		}
		known := map[int]bool{}
		for _, m := range ms {
			known[m.version] = true
		}
		for _, v := range applied {
			if !known[int(v)] {
				// A rollback to an older parcours: migrations only add, so it runs on the
				// newer schema; said once at start.
				d.log.Warn("database schema is newer than this version of parcours", zap.Int32("schema_version", v))
			}
		}
		for _, m := range ms {
			if slices.Contains(applied, int32(m.version)) {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
				return err
			}
			d.log.Info("database migrated", zap.String("migration", m.name))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migration de la base PostgreSQL: %w", err)
	}
	return nil
}

// Probe connects to the database at url without changing anything and says which PostgreSQL
// answers and which schema version it holds (0 before the bot's first start). For parcours
// check.
func Probe(ctx context.Context, url string) (server string, schema int, err error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return "", 0, errors.New("PARCOURS_DATABASE_URL illisible : attendu postgres://utilisateur:motdepasse@hôte:5432/base?sslmode=require")
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return "", 0, fmt.Errorf("connexion à PostgreSQL (%s:%d, base %s): %w", cfg.Host, cfg.Port, cfg.Database, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := conn.QueryRow(cctx, "SHOW server_version").Scan(&server); err != nil {
		return "", 0, fmt.Errorf("PostgreSQL: %w", err)
	}
	var exists bool
	if err := conn.QueryRow(cctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists); err != nil {
		return "", 0, fmt.Errorf("PostgreSQL: %w", err)
	}
	if exists {
		if err := conn.QueryRow(cctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&schema); err != nil {
			return "", 0, fmt.Errorf("PostgreSQL: %w", err)
		}
	}
	return server, schema, nil
}

// Package bolt is the embedded store of parcours, on bbolt: one file in the
// data folder holds diagnostics in progress, results, feedback and the
// questions that found nothing. Each feature keeps its own buckets in its own
// file of this package.
package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// FileName is the store's file inside the data folder.
const FileName = "parcours.db"

// DB is the open store.
type DB struct {
	db *bbolt.DB
}

// Open opens (creating it if needed) the store in dir.
func Open(dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("création du dossier de données %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	// The timeout turns "another parcours holds the file" into an error
	// instead of a hang.
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 2 * time.Second})
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, heldError{dir: dir, err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("ouverture de la base %s: %w", path, err)
	}
	return &DB{db: db}, nil
}

// heldError says that another process holds the data folder (bbolt's lock
// on the store), rather than bbolt's bare "timeout".
type heldError struct {
	dir string
	err error
}

func (e heldError) Error() string {
	return fmt.Sprintf("un autre processus parcours utilise déjà le dossier de données %s (un bot déjà lancé ?) : arrêtez-le, ou donnez à celui-ci un autre dossier (PARCOURS_DATA_DIR)", e.dir)
}

func (e heldError) Unwrap() error { return e.err }

// Close closes the store.
func (d *DB) Close() error { return d.db.Close() }

// ensureBuckets creates the named top-level buckets.
func (d *DB) ensureBuckets(names ...string) error {
	return d.db.Update(func(tx *bbolt.Tx) error {
		for _, n := range names {
			if _, err := tx.CreateBucketIfNotExists([]byte(n)); err != nil {
				return fmt.Errorf("bucket %s: %w", n, err)
			}
		}
		return nil
	})
}

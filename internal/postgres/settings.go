package postgres

import (
	"context"
	"fmt"
)

// SharedSecret returns the value kept under name, storing candidate first when there is none:
// every replica gets the same value, the first one to start chooses it. The button signing key
// is kept this way, so that a button made by one replica is accepted by the others.
func (d *DB) SharedSecret(ctx context.Context, name string, candidate []byte) ([]byte, error) {
	if _, err := d.pool.Exec(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING", name, candidate); err != nil {
		return nil, fmt.Errorf("enregistrement du réglage %s: %w", name, err)
	}
	var v []byte
	if err := d.pool.QueryRow(ctx, "SELECT value FROM settings WHERE name = $1", name).Scan(&v); err != nil {
		return nil, fmt.Errorf("lecture du réglage %s: %w", name, err)
	}
	return v, nil
}

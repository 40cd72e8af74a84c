package postgres

import (
	"context"
	"fmt"
)

// MarkWelcomed claims the welcome of the user in the team. first is true only for the one call,
// among all replicas, that made the record: the primary key decides.
func (d *DB) MarkWelcomed(ctx context.Context, teamID, userID string) (first bool, err error) {
	tag, err := d.pool.Exec(ctx, "INSERT INTO welcomed (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", teamID, userID)
	if err != nil {
		return false, fmt.Errorf("enregistrement de l'accueil: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ForgetWelcome removes the record, so that the next MarkWelcomed is first again (an admin
// re-sending the welcome, or the user's erasure request).
func (d *DB) ForgetWelcome(ctx context.Context, teamID, userID string) error {
	if _, err := d.pool.Exec(ctx, "DELETE FROM welcomed WHERE team_id = $1 AND user_id = $2", teamID, userID); err != nil {
		return fmt.Errorf("oubli de l'accueil: %w", err)
	}
	return nil
}

// ForgetUserWelcomes removes every record of the user's welcomes, in all teams (the user's
// erasure request), and returns how many there were.
func (d *DB) ForgetUserWelcomes(ctx context.Context, userID string) (int, error) {
	tag, err := d.pool.Exec(ctx, "DELETE FROM welcomed WHERE user_id = $1", userID)
	if err != nil {
		return 0, fmt.Errorf("oubli des accueils: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

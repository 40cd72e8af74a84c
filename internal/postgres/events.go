package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloud-pi-native/parcours/internal/analytics"
)

// AnalyticsStore keeps analytics events in analytics_events. It implements analytics.Store.
type AnalyticsStore struct{ d *DB }

var _ analytics.Store = (*AnalyticsStore)(nil)

// Analytics returns the analytics store of d.
func (d *DB) Analytics() *AnalyticsStore { return &AnalyticsStore{d: d} }

// eventData is what an event holds besides its kind, time, id and user.
type eventData struct {
	Text       string            `json:"text,omitempty"`
	Key        string            `json:"key,omitempty"`
	Tier       string            `json:"tier,omitempty"`
	Channel    analytics.Channel `json:"channel,omitempty"`
	Page       string            `json:"page,omitempty"`
	Title      string            `json:"title,omitempty"`
	Useful     bool              `json:"useful,omitempty"`
	Path       string            `json:"path,omitempty"`
	Level      int               `json:"level,omitempty"`
	Perimeter  string            `json:"perimeter,omitempty"`
	Overall    int               `json:"overall,omitempty"`
	Team       string            `json:"team,omitempty"`
	TeamMode   bool              `json:"team_mode,omitempty"`
	Dimensions []analytics.Score `json:"dimensions,omitempty"`
	Incomplete bool              `json:"incomplete,omitempty"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Record adds an event; one with the ID of an earlier event of its kind replaces it.
func (s *AnalyticsStore) Record(ctx context.Context, e *analytics.Event) error {
	data, err := json.Marshal(eventData{Text: e.Text, Key: e.Key, Tier: e.Tier, Channel: e.Channel, Page: e.Page, Title: e.Title,
		Useful: e.Useful, Path: e.Path, Level: e.Level, Perimeter: e.Perimeter, Overall: e.Overall, Team: e.Team,
		TeamMode: e.TeamMode, Dimensions: e.Dimensions, Incomplete: e.Incomplete})
	if err != nil {
		return fmt.Errorf("encodage de l'événement: %w", err)
	}
	_, err = s.d.pool.Exec(ctx, `INSERT INTO analytics_events (kind, at, id, user_id, data) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (kind, id) WHERE id IS NOT NULL DO UPDATE SET at = EXCLUDED.at, user_id = EXCLUDED.user_id, data = EXCLUDED.data`,
		int16(e.Kind), e.At, nullable(e.ID), nullable(e.User), data)
	if err != nil {
		return fmt.Errorf("enregistrement de l'événement: %w", err)
	}
	return nil
}

// Scan calls fn for the events of kind recorded in [from, to), oldest first.
func (s *AnalyticsStore) Scan(ctx context.Context, kind analytics.Kind, from, to time.Time, fn func(*analytics.Event) error) error {
	rows, err := s.d.pool.Query(ctx, `SELECT at, coalesce(id, ''), coalesce(user_id, ''), data FROM analytics_events
		WHERE kind = $1 AND at >= $2 AND at < $3 ORDER BY at, seq`, int16(kind), from, to)
	if err != nil {
		return fmt.Errorf("lecture des événements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := analytics.Event{Kind: kind}
		var raw []byte
		if err := rows.Scan(&e.At, &e.ID, &e.User, &raw); err != nil {
			return fmt.Errorf("lecture des événements: %w", err)
		}
		var d eventData
		if json.Unmarshal(raw, &d) != nil {
			continue // a damaged record does not hide the others
		}
		e.Text, e.Key, e.Tier, e.Channel, e.Page, e.Title = d.Text, d.Key, d.Tier, d.Channel, d.Page, d.Title
		e.Useful, e.Path, e.Level, e.Perimeter, e.Overall = d.Useful, d.Path, d.Level, d.Perimeter, d.Overall
		e.Team, e.TeamMode, e.Dimensions, e.Incomplete = d.Team, d.TeamMode, d.Dimensions, d.Incomplete
		if err := fn(&e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lecture des événements: %w", err)
	}
	return nil
}

// Purge deletes the events recorded before t and returns how many.
func (s *AnalyticsStore) Purge(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.d.pool.Exec(ctx, "DELETE FROM analytics_events WHERE at < $1", before)
	if err != nil {
		return 0, fmt.Errorf("purge des événements: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// ForgetUser deletes the events that carry the user's id.
func (s *AnalyticsStore) ForgetUser(ctx context.Context, userID string) (int, error) {
	if userID == "" {
		return 0, nil
	}
	tag, err := s.d.pool.Exec(ctx, "DELETE FROM analytics_events WHERE user_id = $1", userID)
	if err != nil {
		return 0, fmt.Errorf("oubli des événements: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

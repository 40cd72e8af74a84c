-- Analytics events (internal/analytics): one row per event, its fields other than kind, time, id
-- and user as JSON. An event with the id of an earlier one of its kind replaces it.
CREATE TABLE analytics_events (
	seq     bigserial PRIMARY KEY,
	kind    smallint NOT NULL,
	at      timestamptz NOT NULL,
	id      text,
	user_id text,
	data    jsonb NOT NULL
);
CREATE UNIQUE INDEX analytics_events_id ON analytics_events (kind, id) WHERE id IS NOT NULL;
CREATE INDEX analytics_events_at ON analytics_events (kind, at, seq);
CREATE INDEX analytics_events_user ON analytics_events (user_id) WHERE user_id IS NOT NULL;

-- Question counts and unanswered questions are analytics events now.
DROP TABLE question_counts;
DROP TABLE question_misses;

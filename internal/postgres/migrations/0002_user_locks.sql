-- Per-user locks of diagnostic steps across replicas, as rows rather than session advisory locks:
-- a step holds no connection while it waits or runs, so many users at once cannot exhaust the
-- pool. A lock expires on its own if its holder dies. Unlogged: nothing to keep across a crash.
CREATE UNLOGGED TABLE user_locks (
	user_id    text PRIMARY KEY,
	holder     text NOT NULL,
	expires_at timestamptz NOT NULL
);

-- The state of parcours shared by its replicas. Nothing here holds a message's text except the
-- questions that found no answer (without their author), as in the bbolt store.

-- Diagnostics in progress (one per user) and results (the latest few per user).
CREATE TABLE diagnostic_sessions (
	user_id    text PRIMARY KEY,
	data       jsonb NOT NULL,
	updated_at timestamptz NOT NULL
);
CREATE INDEX diagnostic_sessions_updated ON diagnostic_sessions (updated_at);

CREATE TABLE diagnostic_results (
	id      bigserial PRIMARY KEY,
	user_id text NOT NULL,
	data    jsonb NOT NULL
);
CREATE INDEX diagnostic_results_user ON diagnostic_results (user_id, id);

-- Verdicts on answers: the key hashes the answer and the user, so the user id is not stored and
-- a second click replaces the first.
CREATE TABLE feedback (
	key     bytea PRIMARY KEY,
	post_id text NOT NULL,
	useful  boolean NOT NULL,
	at      timestamptz NOT NULL
);

-- Questions asked, by outcome; the text of those that found nothing (newest kept).
CREATE TABLE question_counts (
	outcome text PRIMARY KEY,
	n       bigint NOT NULL
);
CREATE TABLE question_misses (
	id       bigserial PRIMARY KEY,
	question text NOT NULL,
	at       timestamptz NOT NULL
);
CREATE INDEX question_misses_at ON question_misses (at);

-- Who was welcomed in which team: the primary key is the claim that makes the welcome once.
CREATE TABLE welcomed (
	team_id text NOT NULL,
	user_id text NOT NULL,
	at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (team_id, user_id)
);

-- Where the event consumer stands in the stream of posts: the create_at (ms) before which every
-- post was handled.
CREATE TABLE stream_position (
	id       smallint PRIMARY KEY CHECK (id = 1),
	position bigint NOT NULL
);

-- Posts claimed by the consumer before it replies (at most one reply each), done once replied.
-- epoch is the leader's term that claimed it: a later leader may take over a claim left undone
-- by an earlier one (killed between the claim and the reply).
CREATE TABLE handled_posts (
	post_id    text PRIMARY KEY,
	create_at  bigint NOT NULL,
	holder     text NOT NULL,
	epoch      bigint NOT NULL,
	claimed_at timestamptz NOT NULL DEFAULT now(),
	done       boolean NOT NULL DEFAULT false
);
CREATE INDEX handled_posts_create_at ON handled_posts (create_at);

-- Leases: the replica named in holder leads until expires_at (the database's clock); epoch
-- grows at each new term.
CREATE TABLE leases (
	name       text PRIMARY KEY,
	holder     text NOT NULL,
	epoch      bigint NOT NULL,
	expires_at timestamptz NOT NULL
);

-- Settings generated once and shared, such as the button signing key.
CREATE TABLE settings (
	name  text PRIMARY KEY,
	value bytea NOT NULL
);

-- Versions of shared things that replicas reload when it grows (the knowledge base: a reindex
-- on one replica reloads them all).
CREATE TABLE versions (
	name    text PRIMARY KEY,
	version bigint NOT NULL,
	at      timestamptz NOT NULL DEFAULT now(),
	by      text NOT NULL DEFAULT ''
);

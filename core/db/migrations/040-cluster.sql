-- The cluster: what several AION instances on one database share besides documents.
-- Bus messages travel by LISTEN/NOTIFY and need no table. Leadership uses session advisory locks (no table either).

-- "Run once": the first instance to insert (job, due) runs that occurrence; the others see the conflict and skip.
CREATE TABLE IF NOT EXISTS aion_run_once (
  job text NOT NULL,
  due text NOT NULL,
  instance text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, due)
);
CREATE INDEX IF NOT EXISTS aion_run_once_claimed ON aion_run_once (claimed_at);

-- rate-limiter-flexible's RateLimiterPostgres tables (its own layout), one per limiter: sign-in and signup throttles.
CREATE TABLE IF NOT EXISTS aion_rl_login_pair (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint);
CREATE TABLE IF NOT EXISTS aion_rl_login_addr (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint);
CREATE TABLE IF NOT EXISTS aion_rl_signup_addr (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint);

-- Plan counters: each counted chat message is one row (the rolling hour is a range query), tokens per user and day.
CREATE TABLE IF NOT EXISTS aion_chat_messages (
  user_id text NOT NULL,
  at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS aion_chat_messages_user_at ON aion_chat_messages (user_id, at);
CREATE TABLE IF NOT EXISTS aion_token_days (
  user_id text NOT NULL,
  day text NOT NULL,
  tokens bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, day)
);

-- Parked tool approvals: any instance may answer; DELETE … RETURNING hands a parked turn to exactly one of them.
CREATE TABLE IF NOT EXISTS aion_parked_turns (
  user_id text NOT NULL,
  conversation_id text NOT NULL,
  call_ids text[] NOT NULL,
  turn jsonb NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (user_id, conversation_id)
);

-- This database's identity. At start the gateway claims its Redis key prefix for it
-- (src/redis/prefix-claim.ts): a second gateway with another database on the same Redis and
-- prefix would share queues with jobs for messages it does not have, so it is refused.
CREATE TABLE database_identity (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO database_identity (id) VALUES (gen_random_uuid()::text);

-- Scheduled analytics jobs (forecast run, Parquet export, partner products; src/schedule/).
-- One row per job: the latest cron tick done, and the lease of the run in progress. A process
-- takes a tick by compare-and-set on this row (only when the tick is after last_slot and no
-- other holder's lease is live), so every tick runs once however many schedulers there are.
CREATE TABLE scheduled_jobs (
  name              text PRIMARY KEY,
  last_slot         timestamptz,      -- the latest tick run to its end
  holder            text,             -- the process running running_slot, null when idle
  lease_until       timestamptz,
  running_slot      timestamptz,
  last_started_at   timestamptz,
  last_finished_at  timestamptz,
  last_error        text,             -- null when the last run succeeded
  last_result       jsonb
);

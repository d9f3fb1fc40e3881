-- Serial ledger follow-ups:
-- 1. EPCIS capture watermark: the last serial event id sent to the external EPCIS repository
--    (ledger.epcisCapture). One row; a failed capture leaves the watermark, the next tick resends
--    the same events (same eventIDs, so the repository can drop what it already has).
-- 2. "Where is serial X" without a material looks serial_state up by serial alone.
CREATE TABLE serial_epcis_capture (
  id               integer PRIMARY KEY CHECK (id = 1),
  last_event_id    bigint NOT NULL,
  captured_events  bigint NOT NULL DEFAULT 0,
  last_success_at  timestamptz,
  last_attempt_at  timestamptz,
  last_error       text,
  remote_reference text
);

CREATE INDEX serial_state_serial_idx ON serial_state (serial);

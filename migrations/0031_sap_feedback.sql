-- SAP's application status flows back (docs/sap-feedback.md): a message sent to SAP goes on from
-- `delivered` to `posted` (53) or `sap-error` (51...), or becomes `unconfirmed` when SAP says
-- nothing within the port's window; `in-doubt` when the answer to a sent request was lost.
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check CHECK (status IN
  ('received', 'queued', 'processing', 'delivered', 'posted', 'failed', 'dead', 'sap-error',
   'in-doubt', 'unconfirmed', 'blocked', 'cancelled'));

-- When the message lets the next one of its ordering key go: 'delivered' (SAP's port took it) or
-- 'posted' (SAP posted it). Kept equal to RELEASES_KEY in src/pipeline/lifecycle.ts.
ALTER TABLE messages ADD COLUMN release_on text NOT NULL DEFAULT 'delivered'
  CHECK (release_on IN ('delivered', 'posted'));

-- What SAP reported: its own inbound IDoc number and the application document (e.g. the
-- material document number and year of a goods movement, from E1PRTOB or the status text).
ALTER TABLE messages ADD COLUMN sap_docnum text;
ALTER TABLE messages ADD COLUMN sap_document text;

-- A message delivered to a port with SAP feedback waits for SAP's word until then; after it, the
-- recovery job marks it `unconfirmed`.
ALTER TABLE messages ADD COLUMN confirm_by timestamptz;
CREATE INDEX messages_confirm_by_idx ON messages (confirm_by) WHERE status = 'delivered' AND confirm_by IS NOT NULL;

DROP INDEX messages_ordering_idx;
CREATE INDEX messages_ordering_idx ON messages (ordering_key, receipt_seq)
  WHERE ordering_key IS NOT NULL AND status NOT IN ('posted', 'cancelled')
    AND NOT (release_on = 'delivered' AND status IN ('delivered', 'unconfirmed', 'sap-error'));

-- Stuck messages (dead letters, SAP errors, in doubt, unconfirmed) by error code.
DROP INDEX messages_dead_idx;
CREATE INDEX messages_stuck_idx ON messages (status, last_error_code)
  WHERE status IN ('dead', 'sap-error', 'in-doubt', 'unconfirmed');

-- idocgate message store: every message, its payload versions, status history, attempts,
-- business keys, idempotency, audit log and IDoc number allocation.
-- Plain SQL that runs on PostgreSQL 15+ and on PGlite (no extensions).

-- Receipt order over all messages; within an ordering key it is the delivery order.
CREATE SEQUENCE message_receipt_seq;

-- DOCNUMs the gateway creates: 16 digits, unique and increasing across processes.
CREATE SEQUENCE idoc_number_seq MINVALUE 1 MAXVALUE 9999999999999999 NO CYCLE;

CREATE TABLE messages (
  id               uuid PRIMARY KEY,
  receipt_seq      bigint NOT NULL DEFAULT nextval('message_receipt_seq') UNIQUE,
  direction        text NOT NULL CHECK (direction IN ('in', 'out')),
  partner          text,
  channel          text,
  idoc_type        text,
  extension        text,
  message_type     text,
  docnum           text,
  arckey           text,
  -- sender/receiver: '' when not given, so the duplicate indexes below compare them.
  sender_prt       text NOT NULL DEFAULT '',
  sender_prn       text NOT NULL DEFAULT '',
  sender_por       text NOT NULL DEFAULT '',
  receiver_prt     text NOT NULL DEFAULT '',
  receiver_prn     text NOT NULL DEFAULT '',
  receiver_por     text NOT NULL DEFAULT '',
  status           text NOT NULL CHECK (status IN
                     ('received', 'queued', 'processing', 'delivered', 'failed', 'dead', 'blocked', 'cancelled')),
  sap_status       text,
  status_text      text,
  ordering_key     text,
  -- idempotency: unique per scope (the partner, or '' without one)
  idempotency_scope text,
  idempotency_key  text,
  attempts         integer NOT NULL DEFAULT 0,
  last_error_code  text,
  last_error_text  text,
  next_attempt_at  timestamptz,
  queued_at        timestamptz,
  enqueue_token    text,
  correlation_id   uuid REFERENCES messages (id) ON DELETE SET NULL,
  correlation_kind text,
  search_text      tsvector NOT NULL DEFAULT ''::tsvector,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);

-- Duplicates: same sender and DOCNUM, same sender and ARCKEY, same idempotency key.
CREATE UNIQUE INDEX messages_docnum_uq ON messages (direction, sender_prt, sender_prn, docnum)
  WHERE docnum IS NOT NULL;
CREATE UNIQUE INDEX messages_arckey_uq ON messages (direction, sender_prt, sender_prn, arckey)
  WHERE arckey IS NOT NULL;
CREATE UNIQUE INDEX messages_idempotency_uq ON messages (idempotency_scope, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Search and listing (newest first by receipt_seq).
CREATE INDEX messages_status_idx ON messages (status, receipt_seq);
CREATE INDEX messages_partner_idx ON messages (partner, receipt_seq);
CREATE INDEX messages_idoc_type_idx ON messages (idoc_type, receipt_seq);
CREATE INDEX messages_message_type_idx ON messages (message_type, receipt_seq);
CREATE INDEX messages_docnum_idx ON messages (docnum);
CREATE INDEX messages_created_idx ON messages (created_at);
CREATE INDEX messages_updated_idx ON messages (status, updated_at);
CREATE INDEX messages_correlation_idx ON messages (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX messages_search_text_idx ON messages USING gin (search_text);
-- Ordering: the unfinished messages of a key in receipt order (the first one is the head).
CREATE INDEX messages_ordering_idx ON messages (ordering_key, receipt_seq)
  WHERE ordering_key IS NOT NULL AND status NOT IN ('delivered', 'cancelled');
CREATE INDEX messages_dead_idx ON messages (last_error_code) WHERE status = 'dead';

-- Payload versions: raw as received, parsed model, mapped output, operator edits.
CREATE TABLE message_versions (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id     uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  version        integer NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('raw', 'parsed', 'mapped', 'edited')),
  format         text NOT NULL CHECK (format IN ('flat', 'xml', 'soap', 'json', 'text', 'binary')),
  content_text   text,
  content_bytes  bytea,
  content_type   text,
  created_by     text NOT NULL,
  note           text,
  created_at     timestamptz NOT NULL,
  UNIQUE (message_id, version),
  CHECK ((content_text IS NULL) <> (content_bytes IS NULL))
);

CREATE TABLE message_status_history (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id   uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  from_status  text,
  to_status    text NOT NULL,
  sap_status   text,
  text         text,
  by           text NOT NULL,
  at           timestamptz NOT NULL
);
CREATE INDEX message_status_history_msg_idx ON message_status_history (message_id, id);

CREATE TABLE message_attempts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id   uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  attempt_no   integer NOT NULL,
  transport    text NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('ok', 'error')),
  duration_ms  integer NOT NULL,
  error_code   text,
  error_text   text,
  at           timestamptz NOT NULL,
  UNIQUE (message_id, attempt_no)
);

-- Business keys for exact look-up: delivery, po, material, plant, serial, hu, ...
CREATE TABLE message_keys (
  message_id   uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  kind         text NOT NULL,
  value        text NOT NULL,
  PRIMARY KEY (message_id, kind, value)
);
CREATE INDEX message_keys_lookup_idx ON message_keys (kind, value);
CREATE INDEX message_keys_value_idx ON message_keys (value);

-- Who replayed, edited or cancelled what and why. Kept when retention purges the message.
CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL,
  actor        text NOT NULL,
  action       text NOT NULL,
  reason       text,
  message_id   uuid,
  query        jsonb,
  details      jsonb
);
CREATE INDEX audit_log_message_idx ON audit_log (message_id, id) WHERE message_id IS NOT NULL;
CREATE INDEX audit_log_at_idx ON audit_log (at);

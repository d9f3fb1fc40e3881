-- Delivery ledger and pushback sweeper: outbound deliveries to stores with expected items,
-- handling units and serials; receipt lines from handheld scans, goods receipts and WMS
-- confirmations (idempotent per message); the pushback postings and discrepancies; the sweeper
-- lease (one run at a time across processes) and run log.
-- Plain SQL for PostgreSQL 15+ and PGlite. Message ids are not foreign keys: retention may purge
-- messages while the ledger keeps its record.

CREATE TABLE delivery_ledger (
  delivery          text PRIMARY KEY,           -- VBELN without leading zeros
  sap_delivery      text NOT NULL,              -- VBELN as SAP wrote it
  message_id        uuid,                       -- the announcement last applied
  message_type      text,
  origin_site       text NOT NULL,
  origin_plant      text,
  origin_sloc       text,
  shipping_point    text,
  dest_site         text NOT NULL,
  dest_plant        text,
  dest_sloc         text,
  ship_to           text,
  goods_issue_at    timestamptz NOT NULL,
  -- goods issue + grace period of the destination site ('infinity' where the sweeper is off)
  due_at            timestamptz NOT NULL,
  state             text NOT NULL CHECK (state IN ('open', 'partial', 'pushing-back', 'pushed-back', 'closed')),
  expected_qty      numeric(18, 3) NOT NULL DEFAULT 0,
  received_qty      numeric(18, 3) NOT NULL DEFAULT 0,
  outstanding_qty   numeric(18, 3) NOT NULL DEFAULT 0,
  over_received     boolean NOT NULL DEFAULT false,
  unexpected_serials integer NOT NULL DEFAULT 0,
  late_receipts     integer NOT NULL DEFAULT 0,
  handling_units    jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- bumped by every change: a sweeper decision is taken only on the version it was computed from
  version           bigint NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);
-- The sweeper reads only waiting deliveries that are due: its cost follows the overdue ones.
CREATE INDEX delivery_ledger_due_idx ON delivery_ledger (due_at, delivery)
  WHERE state IN ('open', 'partial');
CREATE INDEX delivery_ledger_state_idx ON delivery_ledger (state, due_at, delivery);
CREATE INDEX delivery_ledger_dest_idx ON delivery_ledger (dest_site, state);

CREATE TABLE delivery_ledger_items (
  delivery      text NOT NULL REFERENCES delivery_ledger (delivery) ON DELETE CASCADE,
  position      text NOT NULL,
  material      text NOT NULL,
  sap_material  text NOT NULL,
  expected_qty  numeric(18, 3) NOT NULL,
  unit          text NOT NULL,
  plant         text,
  sloc          text,
  batch         text,
  received_qty  numeric(18, 3) NOT NULL DEFAULT 0,
  PRIMARY KEY (delivery, position)
);

CREATE TABLE delivery_ledger_serials (
  delivery       text NOT NULL REFERENCES delivery_ledger (delivery) ON DELETE CASCADE,
  material       text NOT NULL,
  serial         text NOT NULL,
  position       text,
  handling_unit  text,
  PRIMARY KEY (delivery, material, serial)
);

-- Receipt lines; the delivery may not be known yet (no foreign key), it is matched when it is.
CREATE TABLE delivery_ledger_receipts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery     text NOT NULL,
  message_id   uuid NOT NULL,
  line         integer NOT NULL,
  source       text NOT NULL CHECK (source IN ('handheld', 'goods-movement', 'wms-confirmation')),
  position     text,
  material     text,
  quantity     numeric(18, 3) NOT NULL,
  unit         text,
  serials      jsonb NOT NULL DEFAULT '[]'::jsonb,
  event_at     timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL,
  -- recorded after the delivery was pushed back: listed and flagged, never counted
  late         boolean NOT NULL DEFAULT false,
  UNIQUE (message_id, delivery, line)
);
CREATE INDEX delivery_ledger_receipts_delivery_idx ON delivery_ledger_receipts (delivery, id);

-- Messages the catch-up has read (anti-join: a message is applied once).
CREATE TABLE delivery_ledger_applied (
  message_id  uuid PRIMARY KEY,
  applied_at  timestamptz NOT NULL,
  outcome     text NOT NULL,            -- expect | receipt | ignored | unreadable
  note        text
);

-- The pushback decision, fixed in one transaction with the state change: the postings (their
-- idempotency keys and IDocs) are built once and re-sent as they are after a crash.
CREATE TABLE delivery_pushbacks (
  delivery      text PRIMARY KEY REFERENCES delivery_ledger (delivery) ON DELETE CASCADE,
  run_id        text NOT NULL,
  decided_at    timestamptz NOT NULL,
  completed_at  timestamptz,
  steps         jsonb NOT NULL            -- [{ name, kind, idempotencyKey, idoc, messageId }]
);

-- What went missing, for support and the freight-claims team.
CREATE TABLE delivery_discrepancies (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery         text NOT NULL UNIQUE REFERENCES delivery_ledger (delivery) ON DELETE CASCADE,
  origin_site      text NOT NULL,
  dest_site        text NOT NULL,
  missing_qty      numeric(18, 3) NOT NULL,
  missing_serials  integer NOT NULL,
  items            jsonb NOT NULL,        -- [{ position, material, unit, expected, received, missing, missingSerials }]
  created_at       timestamptz NOT NULL
);
CREATE INDEX delivery_discrepancies_created_idx ON delivery_discrepancies (created_at, id);
CREATE INDEX delivery_discrepancies_dest_idx ON delivery_discrepancies (dest_site, created_at);

CREATE TABLE sweeper_lease (
  name        text PRIMARY KEY,
  holder      text NOT NULL,
  expires_at  timestamptz NOT NULL
);

-- Settings the sweeper derived data from (e.g. the grace periods behind due_at).
CREATE TABLE sweeper_settings (
  name   text PRIMARY KEY,
  value  text NOT NULL
);

CREATE TABLE sweeper_runs (
  id           text PRIMARY KEY,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  outcome      text,                      -- done | skipped | failed
  scanned      integer NOT NULL DEFAULT 0,
  pushed_back  integer NOT NULL DEFAULT 0,
  postings     integer NOT NULL DEFAULT 0,
  closed       integer NOT NULL DEFAULT 0,
  error        text
);
CREATE INDEX sweeper_runs_started_idx ON sweeper_runs (started_at);

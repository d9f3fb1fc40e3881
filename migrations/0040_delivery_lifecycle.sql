-- The delivery's life as SAP has it (docs/sweeper.md "Delivery lifecycle"): announced (SHPORD /
-- WHSORD / DESADV without an actual goods issue) -> picked (WHSCON/SHPCON E1EDL18 PIC) ->
-- goods issued at the DC (WHSCON/SHPCON PGI, or an announcement with the actual goods-issue
-- date): in transit, stored as `open` -> partial -> closed / pushing-back -> pushed-back.
-- goods_issue_at is the ACTUAL goods issue (null until one is seen): the grace period starts
-- there, never at a planned date. planned_due_at (planned goods issue + grace) only lets the
-- sweeper say which deliveries it skips because they were never goods-issued.
ALTER TABLE delivery_ledger DROP CONSTRAINT IF EXISTS delivery_ledger_state_check;
ALTER TABLE delivery_ledger ADD CONSTRAINT delivery_ledger_state_check CHECK (state IN
  ('announced', 'picked', 'open', 'partial', 'pushing-back', 'pushed-back', 'closed'));
ALTER TABLE delivery_ledger ALTER COLUMN goods_issue_at DROP NOT NULL;
ALTER TABLE delivery_ledger ADD COLUMN planned_goods_issue_at timestamptz;
ALTER TABLE delivery_ledger ADD COLUMN planned_due_at timestamptz;
ALTER TABLE delivery_ledger ADD COLUMN picked_at timestamptz;
CREATE INDEX delivery_ledger_planned_due_idx ON delivery_ledger (planned_due_at, delivery)
  WHERE goods_issue_at IS NULL;

-- The stock transport order (purchase order) item each delivery item was created from
-- (E1EDL24-VGBEL / VGPOS): every posting of a pushback carries it (PO_NUMBER / PO_ITEM).
ALTER TABLE delivery_ledger_items ADD COLUMN po_number text;
ALTER TABLE delivery_ledger_items ADD COLUMN po_item text;

-- Picking and goods-issue confirmations (one row per message, delivery and kind); they may come
-- before the delivery is announced and are applied when it is.
CREATE TABLE delivery_ledger_milestones (
  delivery     text NOT NULL,
  message_id   uuid NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('picked', 'goods-issued')),
  event_at     timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (message_id, delivery, kind)
);
CREATE INDEX delivery_ledger_milestones_delivery_idx ON delivery_ledger_milestones (delivery, kind, event_at);

-- How a pushback settled the shortfall (transfer-back | loss | freight-claim | custom).
ALTER TABLE delivery_discrepancies ADD COLUMN resolution text;

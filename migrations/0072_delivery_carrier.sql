-- The carrier of a delivery (docs/sweeper.md "Where things are in the IDocs", docs/intelligence.md):
-- the partner number (PARTNER_ID, the carrier's vendor number) of the DELVRY0x header partner
-- E1ADRM1 whose partner function (PARTNER_Q) is the forwarding agent, SAP's internal key SP
-- (src/ledger/movements/layouts/delvry.yaml `partner.carrier`). Null while no announcement named
-- one; a later announcement without a carrier keeps the known one.
ALTER TABLE delivery_ledger ADD COLUMN carrier text;

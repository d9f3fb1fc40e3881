-- At-risk alerts (docs/intelligence.md "Surfaces"): a delivery in transit whose at-risk score
-- reached sweeper.atRisk.threshold is told to the webhook once; this row says it was.
CREATE TABLE risk_alerts (
  delivery       text PRIMARY KEY,
  model_version  integer NOT NULL,
  probability    double precision NOT NULL,
  notified_at    timestamptz NOT NULL
);

-- Per-delivery at-risk scores as the running gateway computed them (docs/intelligence.md,
-- docs/export.md "risk_scores"): the at-risk API, a delivery's risk, the Prometheus gauges and
-- the webhook alert job each record what they scored. One row per delivery, model version and
-- score: scoring the same delivery again with the same model and the same result adds nothing
-- (the first scored_at is kept); a new model version or a changed score adds a row.
CREATE TABLE risk_scores (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery       text NOT NULL,
  model_version  integer NOT NULL,
  probability    double precision NOT NULL,
  reasons        jsonb NOT NULL,            -- [{ feature, value, contribution }]
  as_of          timestamptz NOT NULL,      -- the features are as of this moment (the goods issue)
  scored_at      timestamptz NOT NULL,      -- the gateway's clock when it scored
  scored_by      text NOT NULL              -- at-risk-api | delivery-api | metrics | alert-job
);
CREATE UNIQUE INDEX risk_scores_once_idx ON risk_scores (delivery, model_version, probability);

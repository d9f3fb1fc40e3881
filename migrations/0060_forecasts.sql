-- Demand forecasts per article (material) x site from the serial ledger (docs/forecasting.md).
-- One run = one as-of date; each series keeps its Syntetos-Boylan class and the method used;
-- one row per forecast day with the point forecast and the central prediction interval.
-- site '*' is the article total over its sites (bottom-up sum).
CREATE TABLE forecast_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at    timestamptz NOT NULL,
  as_of         date NOT NULL,          -- first forecast day
  history_from  date NOT NULL,
  history_to    date NOT NULL,          -- last day of history used
  horizon       integer NOT NULL,
  level         double precision NOT NULL,
  censored      boolean NOT NULL,       -- zero-stock days left out of the fit
  series        integer NOT NULL
);
CREATE INDEX forecast_runs_created_idx ON forecast_runs (created_at, id);

CREATE TABLE forecast_series (
  run_id         bigint NOT NULL REFERENCES forecast_runs (id) ON DELETE CASCADE,
  material       text NOT NULL,
  site           text NOT NULL,
  class          text NOT NULL,
  method         text NOT NULL,
  adi            double precision,
  cv2            double precision,
  params         jsonb NOT NULL,
  observed_days  integer NOT NULL,
  censored_days  integer NOT NULL,
  PRIMARY KEY (run_id, material, site)
);

CREATE TABLE forecasts (
  run_id     bigint NOT NULL REFERENCES forecast_runs (id) ON DELETE CASCADE,
  material   text NOT NULL,
  site       text NOT NULL,
  day        date NOT NULL,
  mean       double precision NOT NULL,
  lower      double precision NOT NULL,
  upper      double precision NOT NULL,
  PRIMARY KEY (run_id, material, site, day)
);
CREATE INDEX forecasts_material_idx ON forecasts (material, site, run_id);

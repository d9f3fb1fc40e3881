-- Weekly forecasts next to the daily ones (docs/forecasting.md "Weekly"): a series and its rows
-- have a grain, 'day' (one row per day from the as-of day) or 'week' (one row per 7-day week from
-- the as-of day, `day` = the week's first day), fitted on weekly buckets of the same history.
ALTER TABLE forecast_series ADD COLUMN grain text NOT NULL DEFAULT 'day';
ALTER TABLE forecast_series DROP CONSTRAINT forecast_series_pkey;
ALTER TABLE forecast_series ADD PRIMARY KEY (run_id, grain, material, site);
ALTER TABLE forecasts ADD COLUMN grain text NOT NULL DEFAULT 'day';
ALTER TABLE forecasts DROP CONSTRAINT forecasts_pkey;
ALTER TABLE forecasts ADD PRIMARY KEY (run_id, grain, material, site, day);

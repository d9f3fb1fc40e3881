-- Data-lake export and live feed (docs/export.md): where each consumer got to per dataset, and
-- the files the export committed. A batch's files and the cursor move are committed together;
-- files of a later batch found on disk were left by a crash and are deleted by the next run.
CREATE TABLE export_cursors (
  consumer    text NOT NULL,            -- 'parquet:<dir>' or 'nats:<stream>'
  dataset     text NOT NULL,
  last_key    text,                     -- key of the last exported row (null: nothing yet)
  batch       integer NOT NULL DEFAULT 0,
  rows        bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (consumer, dataset)
);

CREATE TABLE export_files (
  consumer    text NOT NULL,
  dataset     text NOT NULL,
  batch       integer NOT NULL,
  path        text NOT NULL,            -- relative to the export directory
  dt          date NOT NULL,
  rows        integer NOT NULL,
  written_at  timestamptz NOT NULL,
  PRIMARY KEY (consumer, path)
);
CREATE INDEX export_files_dataset_idx ON export_files (consumer, dataset, batch);

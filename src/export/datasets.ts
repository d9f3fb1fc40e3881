/**
 * The datasets of the data-lake export and the live feed: their columns (the Parquet schema,
 * documented in docs/export.md), the column whose UTC date is the Hive partition (`dt=`), and the
 * key each row is exported in order of. Pure.
 */

export const COLUMN_TYPES = [
  'varchar',
  'bigint',
  'integer',
  'double',
  'boolean',
  'timestamptz',
  'date',
  'json',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
}

export const DATASET_NAMES = [
  'serial_events',
  'delivery_receipts',
  'delivery_milestones',
  'serial_alerts',
  'delivery_discrepancies',
  'forecasts',
  'forecasts_weekly',
  'messages',
  'message_status_changes',
  'risk_models',
  'risk_scores',
] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface Dataset {
  readonly name: DatasetName;
  readonly columns: readonly Column[];
  /** Timestamp (or date) column whose UTC date is the partition. */
  readonly partitionBy: string;
}

/**
 * A row as the database hands it over: its key, the day of its partition, and the row as one
 * JSON object (the dataset's columns; timestamps as UTC text with microseconds, JSON columns as
 * JSON text). The database writes the JSON, so no sink parses or re-encodes a row.
 */
export interface ExportRow {
  /** Identity within the dataset (the JetStream message id, the de-duplication key). */
  readonly key: string;
  /** UTC date of the partition column (YYYY-MM-DD). */
  readonly day: string;
  readonly json: string;
}

const c = (name: string, type: ColumnType): Column => ({ name, type });

export const DATASETS: Readonly<Record<DatasetName, Dataset>> = {
  serial_events: {
    name: 'serial_events',
    partitionBy: 'event_time',
    columns: [
      c('id', 'bigint'),
      c('event_time', 'timestamptz'),
      c('material', 'varchar'),
      c('serial', 'varchar'),
      c('movement', 'varchar'),
      c('move_type', 'varchar'),
      c('from_site', 'varchar'),
      c('from_sloc', 'varchar'),
      c('to_site', 'varchar'),
      c('to_sloc', 'varchar'),
      c('state_after', 'varchar'),
      c('handling_unit', 'varchar'),
      c('delivery', 'varchar'),
      c('partner', 'varchar'),
      c('doc_ref', 'varchar'),
      c('message_id', 'varchar'),
      c('recorded_at', 'timestamptz'),
    ],
  },
  delivery_receipts: {
    name: 'delivery_receipts',
    partitionBy: 'event_at',
    columns: [
      c('id', 'bigint'),
      c('delivery', 'varchar'),
      c('message_id', 'varchar'),
      c('line', 'integer'),
      c('source', 'varchar'),
      c('position', 'varchar'),
      c('material', 'varchar'),
      c('quantity', 'double'),
      c('unit', 'varchar'),
      c('serials', 'json'),
      c('event_at', 'timestamptz'),
      c('recorded_at', 'timestamptz'),
      c('late', 'boolean'),
    ],
  },
  delivery_milestones: {
    name: 'delivery_milestones',
    partitionBy: 'event_at',
    columns: [
      c('delivery', 'varchar'),
      c('message_id', 'varchar'),
      c('kind', 'varchar'),
      c('event_at', 'timestamptz'),
      c('recorded_at', 'timestamptz'),
    ],
  },
  serial_alerts: {
    name: 'serial_alerts',
    partitionBy: 'detected_at',
    columns: [
      c('id', 'bigint'),
      c('rule', 'varchar'),
      c('severity', 'varchar'),
      c('material', 'varchar'),
      c('serial', 'varchar'),
      c('summary', 'varchar'),
      c('evidence', 'json'),
      c('dedupe_key', 'varchar'),
      c('detected_at', 'timestamptz'),
      c('created_at', 'timestamptz'),
    ],
  },
  delivery_discrepancies: {
    name: 'delivery_discrepancies',
    partitionBy: 'created_at',
    columns: [
      c('id', 'bigint'),
      c('delivery', 'varchar'),
      c('origin_site', 'varchar'),
      c('dest_site', 'varchar'),
      c('missing_qty', 'double'),
      c('missing_serials', 'integer'),
      c('items', 'json'),
      c('created_at', 'timestamptz'),
    ],
  },
  forecasts: {
    name: 'forecasts',
    partitionBy: 'as_of',
    columns: [
      c('run_id', 'bigint'),
      c('as_of', 'date'),
      c('material', 'varchar'),
      c('site', 'varchar'),
      c('day', 'date'),
      c('class', 'varchar'),
      c('method', 'varchar'),
      c('mean', 'double'),
      c('lower', 'double'),
      c('upper', 'double'),
      c('level', 'double'),
      c('created_at', 'timestamptz'),
    ],
  },
  forecasts_weekly: {
    name: 'forecasts_weekly',
    partitionBy: 'as_of',
    columns: [
      c('run_id', 'bigint'),
      c('as_of', 'date'),
      c('material', 'varchar'),
      c('site', 'varchar'),
      c('week_start', 'date'),
      c('week_end', 'date'),
      c('class', 'varchar'),
      c('method', 'varchar'),
      c('mean', 'double'),
      c('lower', 'double'),
      c('upper', 'double'),
      c('level', 'double'),
      c('created_at', 'timestamptz'),
    ],
  },
  messages: {
    name: 'messages',
    partitionBy: 'updated_at',
    columns: [
      c('message_id', 'varchar'),
      c('receipt_seq', 'bigint'),
      c('direction', 'varchar'),
      c('partner', 'varchar'),
      c('channel', 'varchar'),
      c('idoc_type', 'varchar'),
      c('extension', 'varchar'),
      c('message_type', 'varchar'),
      c('docnum', 'varchar'),
      c('arckey', 'varchar'),
      c('sender_prt', 'varchar'),
      c('sender_prn', 'varchar'),
      c('receiver_prt', 'varchar'),
      c('receiver_prn', 'varchar'),
      c('status', 'varchar'),
      c('sap_status', 'varchar'),
      c('sap_docnum', 'varchar'),
      c('sap_document', 'varchar'),
      c('attempts', 'integer'),
      c('last_error_code', 'varchar'),
      c('correlation_id', 'varchar'),
      c('correlation_kind', 'varchar'),
      c('business_keys', 'json'),
      c('created_at', 'timestamptz'),
      c('updated_at', 'timestamptz'),
    ],
  },
  message_status_changes: {
    name: 'message_status_changes',
    partitionBy: 'at',
    columns: [
      c('id', 'bigint'),
      c('message_id', 'varchar'),
      c('from_status', 'varchar'),
      c('to_status', 'varchar'),
      c('sap_status', 'varchar'),
      c('by', 'varchar'),
      c('at', 'timestamptz'),
    ],
  },
  risk_models: {
    name: 'risk_models',
    partitionBy: 'trained_at',
    columns: [
      c('version', 'integer'),
      c('kind', 'varchar'),
      c('active', 'boolean'),
      c('trained_at', 'timestamptz'),
      c('trained_by', 'varchar'),
      c('metrics', 'json'),
      c('model', 'json'),
    ],
  },
  risk_scores: {
    name: 'risk_scores',
    partitionBy: 'scored_at',
    columns: [
      c('id', 'bigint'),
      c('delivery', 'varchar'),
      c('model_version', 'integer'),
      c('probability', 'double'),
      c('reasons', 'json'),
      c('as_of', 'timestamptz'),
      c('scored_at', 'timestamptz'),
      c('scored_by', 'varchar'),
    ],
  },
};

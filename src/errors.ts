/**
 * The one catalogue of error codes. Each code has a retry verdict (transient failures are
 * retried with backoff, permanent ones go straight to dead letters) and the HTTP status an API
 * answers with. Codes are stable: they appear in stored messages, logs, metrics and the API.
 */

export type RetryVerdict = 'transient' | 'permanent';

export interface ErrorSpec {
  readonly verdict: RetryVerdict;
  readonly httpStatus: number;
  readonly summary: string;
}

export const ERROR_CATALOGUE = {
  // --- input that is not an IDoc at all, or cannot be read -----------------------------------
  IDOC_EMPTY_INPUT: { verdict: 'permanent', httpStatus: 400, summary: 'The input is empty' },
  IDOC_NOT_WELL_FORMED_XML: { verdict: 'permanent', httpStatus: 400, summary: 'The XML is not well-formed' },
  IDOC_XML_DTD_FORBIDDEN: {
    verdict: 'permanent',
    httpStatus: 400,
    summary: 'DOCTYPE/DTD and entity declarations are not accepted',
  },
  IDOC_NO_IDOC_ELEMENT: {
    verdict: 'permanent',
    httpStatus: 400,
    summary: 'The XML document contains no <IDOC> element',
  },
  IDOC_FOREIGN_FORMAT: {
    verdict: 'permanent',
    httpStatus: 415,
    summary: 'The document is not SAP IDoc-XML, IDoc-SOAP or an EDI_DC40 flat file',
  },
  IDOC_NO_CONTROL_RECORD: {
    verdict: 'permanent',
    httpStatus: 400,
    summary: 'An IDoc has no EDI_DC40 control record',
  },
  IDOC_RECORD_TOO_LONG: {
    verdict: 'permanent',
    httpStatus: 400,
    summary: 'A flat record is longer than the EDI_DD40 layout (1063 characters)',
  },
  IDOC_RECORD_TRUNCATED: {
    verdict: 'permanent',
    httpStatus: 400,
    summary: 'A flat record is too short to hold its header',
  },
  IDOC_BINARY_INPUT: {
    verdict: 'permanent',
    httpStatus: 400,
    summary: 'The input contains binary data (control characters) where text was expected',
  },
  IDOC_BAD_HIERARCHY: {
    verdict: 'permanent',
    httpStatus: 400,
    summary: 'SEGNUM/PSGNUM do not describe a segment tree',
  },
  IDOC_TOO_LARGE: {
    verdict: 'permanent',
    httpStatus: 413,
    summary: 'The document exceeds a configured size or nesting limit',
  },
  IDOC_SOAP_FAULT: { verdict: 'permanent', httpStatus: 400, summary: 'The SOAP envelope is malformed' },
  IDOC_UNKNOWN_TYPE: {
    verdict: 'permanent',
    httpStatus: 422,
    summary: 'No definition is loaded for the IDoc type',
  },
  IDOC_NO_DEFINITION_FOR_SEGMENT: {
    verdict: 'permanent',
    httpStatus: 422,
    summary: 'A segment has no definition, so its fields cannot be split or written',
  },
  IDOC_XML_UNREPRESENTABLE: {
    verdict: 'permanent',
    httpStatus: 422,
    summary: 'A name or value contains characters that XML 1.0 cannot represent',
  },
  IDOC_VALUE_TOO_LONG: {
    verdict: 'permanent',
    httpStatus: 422,
    summary: 'A value is longer than its field and would be truncated',
  },
  IDOC_INVALID: {
    verdict: 'permanent',
    httpStatus: 422,
    summary: 'The IDoc does not validate against its definition',
  },

  // --- definitions ---------------------------------------------------------------------------
  DEFINITION_INVALID: {
    verdict: 'permanent',
    httpStatus: 500,
    summary: 'An IDoc definition file is invalid',
  },
  DEFINITION_PARSER_FILE_INVALID: {
    verdict: 'permanent',
    httpStatus: 400,
    summary: 'An SAP parser file (WE60/WE63) could not be read',
  },

  // --- configuration -------------------------------------------------------------------------
  CONFIG_INVALID: { verdict: 'permanent', httpStatus: 500, summary: 'The configuration is invalid' },

  // --- mapping -------------------------------------------------------------------------------
  MAPPING_INVALID: { verdict: 'permanent', httpStatus: 500, summary: 'A mapping file is invalid' },
  MAPPING_FAILED: {
    verdict: 'permanent',
    httpStatus: 422,
    summary: 'The message could not be mapped (see issues)',
  },
  PAYLOAD_INVALID: {
    verdict: 'permanent',
    httpStatus: 400,
    summary: 'The JSON payload does not match its contract',
  },

  // --- store (PostgreSQL / PGlite) -----------------------------------------------------------
  REDIS_PREFIX_IN_USE: {
    verdict: 'permanent',
    httpStatus: 500,
    summary:
      'The Redis key prefix belongs to a gateway with another database; give this one its own redis.prefix',
  },
  STORE_UNAVAILABLE: {
    verdict: 'transient',
    httpStatus: 503,
    summary: 'The message store cannot be reached or is overloaded (retry later)',
  },
  STORE_QUERY_FAILED: {
    verdict: 'permanent',
    httpStatus: 500,
    summary: 'The message store rejected a statement',
  },
  STORE_MIGRATION_FAILED: {
    verdict: 'permanent',
    httpStatus: 500,
    summary: 'A database migration failed or an applied migration file was changed',
  },
  STORE_CONFLICT: {
    verdict: 'transient',
    httpStatus: 409,
    summary: 'A concurrent change got in the way; retrying the operation resolves it',
  },
  MESSAGE_NOT_FOUND: { verdict: 'permanent', httpStatus: 404, summary: 'No stored message has this id' },
  LEDGER_SERIAL_NOT_FOUND: {
    verdict: 'permanent',
    httpStatus: 404,
    summary: 'The serial ledger has no such serial (of this material)',
  },
  LEDGER_ALERT_NOT_FOUND: { verdict: 'permanent', httpStatus: 404, summary: 'No serial alert has this id' },
  LEDGER_EXTRACT_FAILED: {
    verdict: 'permanent',
    httpStatus: 422,
    summary: 'The serial ledger could not read serial events from a message (delivery is not affected)',
  },
  EXPORT_TARGET_FAILED: {
    verdict: 'transient',
    httpStatus: 502,
    summary:
      'The export could not write to its target (S3-compatible bucket): nothing was committed, the next run writes the batch again',
  },
  FORECAST_NOT_FOUND: {
    verdict: 'permanent',
    httpStatus: 404,
    summary: 'The latest forecast run has no forecast for this article and site',
  },
  DELIVERY_NOT_FOUND: {
    verdict: 'permanent',
    httpStatus: 404,
    summary: 'The delivery ledger has no delivery with this number',
  },
  CUSTODY_MODEL_NO_HISTORY: {
    verdict: 'permanent',
    httpStatus: 409,
    summary: 'The serial ledger holds no events yet to learn a custody-path model from',
  },
  SWEEPER_LOCKED: {
    verdict: 'transient',
    httpStatus: 409,
    summary: 'Another pushback sweeper run holds the lease; try again when it has finished',
  },
  QUERY_INVALID: {
    verdict: 'permanent',
    httpStatus: 400,
    summary: 'The search query or its page cursor is invalid',
  },

  // --- HTTP edges and support API ------------------------------------------------------------
  REQUEST_BODY_TOO_LARGE: {
    verdict: 'permanent',
    httpStatus: 413,
    summary: 'The request body is larger than server.bodyLimit',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    verdict: 'permanent',
    httpStatus: 415,
    summary: 'This endpoint does not accept the Content-Type of the request',
  },
  JSON_INVALID: { verdict: 'permanent', httpStatus: 400, summary: 'The request body is not valid JSON' },
  REQUEST_INVALID: {
    verdict: 'permanent',
    httpStatus: 400,
    summary: 'The request parameters or body are invalid (see issues)',
  },
  IDEMPOTENCY_KEY_REQUIRED: {
    verdict: 'permanent',
    httpStatus: 428,
    summary:
      'The contract has no natural key: send an Idempotency-Key header so a resent request is not stored twice',
  },
  AUTH_REQUIRED: {
    verdict: 'permanent',
    httpStatus: 401,
    summary: 'Credentials are missing or not valid',
  },
  FORBIDDEN: {
    verdict: 'permanent',
    httpStatus: 403,
    summary: 'The authenticated caller may not do this',
  },
  LOGIN_LOCKED: {
    verdict: 'transient',
    httpStatus: 429,
    summary: 'Too many failed operator sign-ins for this user name or from this client; try again later',
  },
  CROSS_SITE_REQUEST: {
    verdict: 'permanent',
    httpStatus: 403,
    summary: 'A state-changing support API call from another site (Origin / Sec-Fetch-Site) is refused',
  },
  ROUTE_NOT_FOUND: { verdict: 'permanent', httpStatus: 404, summary: 'No such endpoint' },
  BULK_JOB_NOT_FOUND: { verdict: 'permanent', httpStatus: 404, summary: 'No bulk replay job has this id' },
  INTERNAL_ERROR: {
    verdict: 'transient',
    httpStatus: 500,
    summary: 'An unexpected error occurred (see the gateway log)',
  },
  REDIS_UNAVAILABLE: {
    verdict: 'transient',
    httpStatus: 503,
    summary: 'Redis cannot be reached',
  },

  // --- pipeline (ingest, routing, replay) ----------------------------------------------------
  PARTNER_UNKNOWN: {
    verdict: 'permanent',
    httpStatus: 422,
    summary: 'No partner profile matches the receiver or sender of the message',
  },
  MESSAGE_TYPE_NOT_ALLOWED: {
    verdict: 'permanent',
    httpStatus: 403,
    summary: 'The partner profile does not send or receive this message type',
  },
  CONTRACT_UNKNOWN: { verdict: 'permanent', httpStatus: 404, summary: 'No payload contract has this name' },
  PRINCIPAL_NOT_ALLOWED: {
    verdict: 'permanent',
    httpStatus: 403,
    summary: 'The caller may not post messages through this channel',
  },
  ROUTE_NOT_CONFIGURED: {
    verdict: 'permanent',
    httpStatus: 422,
    summary: 'The configuration no longer routes this message (partner, message type or port removed)',
  },
  MESSAGE_NOT_REPLAYABLE: {
    verdict: 'permanent',
    httpStatus: 409,
    summary: 'The message is in a status that does not allow this action',
  },

  // --- transports (delivery to SAP, WMS, PeopleSoft, file ports, RFC) ------------------------
  TRANSPORT_UNKNOWN_KIND: {
    verdict: 'permanent',
    httpStatus: 500,
    summary: 'No transport of this kind exists',
  },
  TRANSPORT_OPTIONS_INVALID: {
    verdict: 'permanent',
    httpStatus: 500,
    summary: 'The transport options are invalid (see issues)',
  },
  TRANSPORT_DELIVERY_INVALID: {
    verdict: 'permanent',
    httpStatus: 500,
    summary: 'The delivery lacks something this transport needs (e.g. ARCKEY message id, file name value)',
  },
  TRANSPORT_TIMEOUT: {
    verdict: 'transient',
    httpStatus: 504,
    summary: 'The receiver did not answer in time',
  },
  TRANSPORT_ATTEMPT_INTERRUPTED: {
    verdict: 'transient',
    httpStatus: 502,
    summary:
      'An earlier attempt stopped mid-way (worker killed, job lost with Redis); it may have reached the receiver',
  },
  TRANSPORT_ABORTED: {
    verdict: 'transient',
    httpStatus: 503,
    summary: 'The delivery was aborted (shutdown or cancellation) before it completed',
  },
  TRANSPORT_CONNECTION_REFUSED: {
    verdict: 'transient',
    httpStatus: 502,
    summary: 'The receiver refused the connection',
  },
  TRANSPORT_NETWORK: {
    verdict: 'transient',
    httpStatus: 502,
    summary: 'A network error (reset, unreachable host, DNS) interrupted the delivery',
  },
  TRANSPORT_TLS: {
    verdict: 'permanent',
    httpStatus: 502,
    summary: "The receiver's TLS certificate was not accepted",
  },
  TRANSPORT_HTTP_5XX: {
    verdict: 'transient',
    httpStatus: 502,
    summary: 'The receiver answered with a 5xx status',
  },
  TRANSPORT_PACKET_ITEM_FAILED: {
    verdict: 'transient',
    httpStatus: 502,
    summary: 'The receiver took a webhook packet but answered "retry" for this message of it',
  },
  TRANSPORT_PACKET_ITEM_REJECTED: {
    verdict: 'permanent',
    httpStatus: 502,
    summary: 'The receiver took a webhook packet but answered "rejected" for this message of it',
  },
  TRANSPORT_PACKET_ANSWER_INVALID: {
    verdict: 'transient',
    httpStatus: 502,
    summary:
      'The receiver answered a webhook packet 2xx with a results array that does not match the packet (length, id, status)',
  },
  TRANSPORT_HTTP_THROTTLED: {
    verdict: 'transient',
    httpStatus: 503,
    summary: 'The receiver answered 408 or 429 (retry later, honouring Retry-After)',
  },
  TRANSPORT_HTTP_4XX: {
    verdict: 'permanent',
    httpStatus: 502,
    summary: 'The receiver rejected the message with a 4xx status',
  },
  TRANSPORT_HTTP_UNEXPECTED: {
    verdict: 'permanent',
    httpStatus: 502,
    summary: 'The receiver answered with an unexpected status (e.g. a redirect to a logon page)',
  },
  TRANSPORT_AUTH_REJECTED: {
    verdict: 'permanent',
    httpStatus: 502,
    summary: 'The receiver rejected the credentials (401/403, RFC logon failure)',
  },
  TRANSPORT_SOAP_FAULT: {
    verdict: 'permanent',
    httpStatus: 502,
    summary: 'SAP answered with a SOAP fault that retrying will not fix',
  },
  TRANSPORT_SOAP_FAULT_TRANSIENT: {
    verdict: 'transient',
    httpStatus: 502,
    summary: 'SAP answered with a SOAP server fault that may pass',
  },
  TRANSPORT_FILE_IO: {
    verdict: 'transient',
    httpStatus: 500,
    summary: 'Writing or renaming a file failed for a reason that may pass (disk full, I/O error)',
  },
  TRANSPORT_FILE_REJECTED: {
    verdict: 'permanent',
    httpStatus: 500,
    summary: 'The file could not be written (permission, read-only, bad path)',
  },
  TRANSPORT_FILE_CONFLICT: {
    verdict: 'permanent',
    httpStatus: 409,
    summary: 'A file with the same name but different content already exists',
  },
  TRANSPORT_RFC_UNAVAILABLE: {
    verdict: 'permanent',
    httpStatus: 501,
    summary: 'node-rfc or the SAP NW RFC SDK is not installed',
  },
  TRANSPORT_RFC_COMMUNICATION: {
    verdict: 'transient',
    httpStatus: 502,
    summary: 'The RFC connection to SAP failed or was interrupted',
  },
  TRANSPORT_RFC_FAILED: {
    verdict: 'permanent',
    httpStatus: 502,
    summary: 'SAP rejected the RFC call (ABAP error)',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** One problem found in an input, with where it is. Validation returns lists of these. */
export interface Issue {
  /** Stable machine code, e.g. `SEGMENT_UNKNOWN`, `VALUE_TOO_LONG`. */
  readonly code: string;
  readonly message: string;
  /** Where: e.g. `idoc[0]/E1EDL20[1]/E1EDL24[3].MATNR` or a JSON pointer. */
  readonly path?: string;
  readonly severity?: 'error' | 'warning';
  /** Extra structured context (IDoc index, DOCNUM, SEGNUM, field, value...). */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/** The error every layer throws for a known condition. */
export class IdocgateError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly Issue[];
  override readonly cause?: unknown;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { issues?: readonly Issue[]; cause?: unknown } = {},
  ) {
    super(message ?? ERROR_CATALOGUE[code].summary);
    this.name = 'IdocgateError';
    this.code = code;
    this.issues = options.issues ?? [];
    if (options.cause !== undefined) this.cause = options.cause;
  }

  get verdict(): RetryVerdict {
    return ERROR_CATALOGUE[this.code].verdict;
  }

  get httpStatus(): number {
    return ERROR_CATALOGUE[this.code].httpStatus;
  }
}

export function isIdocgateError(e: unknown): e is IdocgateError {
  return e instanceof IdocgateError;
}

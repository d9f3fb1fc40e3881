/**
 * JSON Schemas of API request parameters and answers, for route validation and the OpenAPI
 * document. Answers are serialized with JSON.stringify (see app.ts), so response schemas document
 * the shape without filtering it.
 */
import { MESSAGE_STATUSES } from '../pipeline/lifecycle.js';

const nullableString = { type: ['string', 'null'] } as const;

export const issueSchema = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    path: { type: 'string' },
    severity: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export const ingestResultSchema = {
  description: 'Stored (or duplicate) messages; the answer comes only after the store committed',
  type: 'object',
  properties: {
    duplicate: { type: 'boolean', description: 'true when every message was a duplicate of an earlier one' },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          status: { type: 'string', enum: [...MESSAGE_STATUSES] },
          duplicate: { type: 'boolean' },
          docnum: nullableString,
          messageType: nullableString,
        },
      },
    },
    warnings: { type: 'array', items: issueSchema },
  },
} as const;

export const messageRecordSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    receiptSeq: { type: 'number' },
    direction: { type: 'string', enum: ['in', 'out'] },
    partner: nullableString,
    channel: nullableString,
    idocType: nullableString,
    messageType: nullableString,
    docnum: nullableString,
    arckey: nullableString,
    status: { type: 'string', enum: [...MESSAGE_STATUSES] },
    sapStatus: nullableString,
    statusText: nullableString,
    orderingKey: nullableString,
    releaseOn: { type: 'string', enum: ['delivered', 'posted'] },
    sapDocnum: nullableString,
    sapDocument: nullableString,
    attempts: { type: 'number' },
    lastError: { type: ['object', 'null'], additionalProperties: true },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const messageQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', description: 'comma-separated statuses, e.g. dead,failed' },
    partner: { type: 'string' },
    direction: { type: 'string', enum: ['in', 'out'] },
    idocType: { type: 'string' },
    messageType: { type: 'string' },
    docnum: { type: 'string' },
    orderingKey: { type: 'string' },
    errorCode: { type: 'string' },
    key: { type: 'string', description: 'a business key value (delivery, PO, material, plant, HU...)' },
    keyKind: { type: 'string', description: 'restricts `key` to one kind, e.g. delivery' },
    serial: { type: 'string' },
    from: { type: 'string', description: 'received at or after (ISO 8601)' },
    to: { type: 'string', description: 'received before (ISO 8601)' },
    text: { type: 'string', description: 'words that must all occur in the indexed text' },
  },
} as const;

export const pageSchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    cursor: { type: 'string' },
  },
} as const;

export const reasonBodySchema = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } },
} as const;

export const confirmBodySchema = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    /** SAP's document as checked in SAP (e.g. the material document number and year). */
    document: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

export const replayBodySchema = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    edited: {
      type: 'object',
      required: ['format', 'content'],
      additionalProperties: false,
      description: 'a corrected payload, stored as a new `edited` version and processed instead',
      properties: {
        format: { type: 'string', enum: ['flat', 'xml', 'soap', 'json', 'text'] },
        content: { type: 'string', minLength: 1 },
      },
    },
  },
} as const;

export const bulkReplayBodySchema = {
  type: 'object',
  required: ['query', 'reason'],
  additionalProperties: false,
  properties: {
    query: messageQuerySchema,
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    ratePerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 10000 },
    dryRun: { type: 'boolean' },
  },
} as const;

export const sessionBodySchema = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: { username: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1 } },
} as const;

/**
 * Ingest: the use case behind every edge. Parses the input once, checks the principal may send
 * it, routes every message before storing any (a rejected request stores nothing), stores each
 * message durably (duplicates answer with their original), then queues it — or blocks it behind
 * its ordering key. Queueing failures do not fail the request: the message is durable and the
 * recovery job queues it later.
 */
import { CONTRACTS, checkPayload, type PayloadContract } from '../contracts/registry.js';
import { IdocgateError, type Issue } from '../errors.js';
import { writeIdocs } from '../idoc/codec.js';
import type { Idoc } from '../idoc/model.js';
import type { ReceiveDeps } from './deps.js';
import type { IngestRequest, IngestResult, IngestedMessage, Principal } from './gateway-port.js';
import { addJob } from './enqueue.js';
import { admit } from './ordering.js';
import {
  IDOC_CONTRACT,
  channelOf,
  feedbackRouteOf,
  findPartner,
  findSapPort,
  routePartnerIdoc,
  routePartnerJson,
  routeSapIdoc,
  type FeedbackRoute,
  type FromPartnerRoute,
  type ToPartnerRoute,
} from './routing.js';

type IngestRoute = ToPartnerRoute | FromPartnerRoute | FeedbackRoute;
import { idocSearchKeys, jsonSearchKeys, payloadText, searchText } from './search-keys.js';
import { bodyText, idocToJson, readIdocInput, type InputFormat } from './wire.js';
import { orderingKeyFor } from './ordering.js';
import type { MessageRecord, MessageStatus, PartyRef, ReceiveInput } from './store-port.js';
import { inputVersion } from './payload-version.js';

const KNOWN_CONTRACTS: ReadonlySet<string> = new Set([...CONTRACTS.keys(), IDOC_CONTRACT]);

function party(
  prt: string | undefined,
  prn: string | undefined,
  por: string | undefined,
): PartyRef | undefined {
  const n = (prn ?? '').trim();
  if (n === '') return undefined;
  const p = (por ?? '').trim();
  return { prt: (prt ?? '').trim(), prn: n, ...(p !== '' ? { por: p } : {}) };
}

function opt<K extends string, V>(key: K, value: V | undefined | null): { [P in K]?: V } {
  return (value === undefined || value === null || value === '' ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Routes one IDoc according to who posted it. */
function routeIdoc(deps: ReceiveDeps, principal: Principal, idoc: Idoc): IngestRoute {
  const { config } = deps;
  switch (principal.kind) {
    case 'port':
      if (config.ports[principal.name] === undefined) {
        throw new IdocgateError('PRINCIPAL_NOT_ALLOWED', `port ${principal.name} is not configured`);
      }
      {
        // One port's credentials must not send as another port's SAP system: its DOCNUMs would
        // be taken for that system's (and a later real IDoc answered as a duplicate).
        const claimed = findSapPort(config, idoc.control);
        if (claimed !== undefined && claimed !== principal.name)
          throw new IdocgateError(
            'PRINCIPAL_NOT_ALLOWED',
            `port ${principal.name}'s credentials cannot send IDocs of port ${claimed} (SNDPOR ${(idoc.control.SNDPOR ?? '').trim() || '-'}, SNDPRN ${(idoc.control.SNDPRN ?? '').trim() || '-'})`,
            {
              issues: [
                {
                  code: 'SENDER_MISMATCH',
                  message: `the IDoc's sender is port ${claimed}, the credentials are port ${principal.name}'s`,
                  path: 'EDI_DC40.SNDPOR',
                },
              ],
            },
          );
      }
      // SAP's ALE audit / STATUS about what the gateway sent it (docs/sap-feedback.md).
      return (
        feedbackRouteOf(config, principal.name, idoc.control) ??
        routeSapIdoc(config, idoc.control, principal.name)
      );
    case 'partner':
      return routePartnerIdoc(config, principal.name, idoc.control);
    case 'operator': {
      if (principal.role !== 'operator') {
        throw new IdocgateError('PRINCIPAL_NOT_ALLOWED', `operator ${principal.name} has the viewer role`);
      }
      // An operator upload: from a partner when its sender is one that sends this type as IDoc,
      // otherwise an IDoc from SAP (its port found by SNDPOR/SNDPRN).
      const sender = findPartner(config, idoc.control.SNDPRN ?? '', idoc.control.SNDPRT);
      const mestyp = (idoc.control.MESTYP ?? '').trim();
      if (sender?.[1].sends.some((s) => s.contract === IDOC_CONTRACT && s.messageType === mestyp)) {
        return routePartnerIdoc(config, sender[0], idoc.control);
      }
      const port = findSapPort(config, idoc.control);
      return feedbackRouteOf(config, port, idoc.control) ?? routeSapIdoc(config, idoc.control, port);
    }
  }
}

/** The raw version of one IDoc of a request: the body itself, or the IDoc re-encoded when the body held several. */
function rawOf(
  request: IngestRequest,
  format: InputFormat,
  idoc: Idoc,
  count: number,
  deps: ReceiveDeps,
): ReceiveInput['raw'] {
  const payloadFormat = format === 'soap' ? 'soap' : format;
  if (count === 1) {
    return { format: payloadFormat, content: request.body, ...opt('contentType', request.contentType) };
  }
  return { format: payloadFormat, content: writeIdocs([idoc], format, deps.definitions) };
}

function receiveInputForIdoc(
  deps: ReceiveDeps,
  request: IngestRequest,
  route: IngestRoute,
  idoc: Idoc,
  raw: ReceiveInput['raw'],
  idempotencyKey: string | undefined,
): ReceiveInput {
  const c = idoc.control;
  const keys = idocSearchKeys(idoc);
  const spec =
    route.kind === 'to-partner'
      ? route.receives.orderingKey
      : route.kind === 'from-partner'
        ? route.sends.orderingKey
        : undefined;
  const orderingKey =
    route.kind === 'feedback' ? undefined : orderingKeyFor(spec, route.partnerName, keys, c);
  const releaseOn = route.kind === 'from-partner' ? route.sends.releaseOn : 'delivered';
  return {
    direction: 'in',
    ...opt('partner', route.kind === 'feedback' ? undefined : route.partnerName),
    ...(orderingKey !== undefined && releaseOn !== 'delivered' ? { releaseOn } : {}),
    channel: channelOf(route),
    ...opt('idocType', c.IDOCTYP?.trim()),
    ...opt('extension', c.CIMTYP?.trim()),
    ...opt('messageType', c.MESTYP?.trim()),
    ...opt('docnum', c.DOCNUM?.trim()),
    ...opt('arckey', c.ARCKEY?.trim()),
    ...opt('sender', party(c.SNDPRT, c.SNDPRN, c.SNDPOR)),
    ...opt('receiver', party(c.RCVPRT, c.RCVPRN, c.RCVPOR)),
    ...opt('orderingKey', orderingKey),
    ...opt('idempotencyKey', idempotencyKey),
    // No parsed version: the IDoc model is derived from the raw on read (docs/store.md).
    raw,
    searchKeys: keys,
    text: `${searchText(keys)} ${payloadText(idoc.segments)}`,
    by: `edge:${request.channel}`,
  };
}

/** The value at a dotted path of a checked payload, as text; undefined when absent or empty. */
function valueAt(payload: unknown, path: string): string | undefined {
  let cur: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (typeof cur === 'string') return cur.trim() === '' ? undefined : cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return undefined;
}

/**
 * The idempotency key of a partner post: the Idempotency-Key header, else the contract's natural
 * key (partners.<name>.sends[].naturalKey, else the contract's own), so a resent scan without the
 * header is still stored once. Neither: 428, nothing stored.
 */
function idempotencyKeyOf(
  request: IngestRequest,
  route: FromPartnerRoute,
  contract: PayloadContract,
  value: unknown,
): string {
  if (request.idempotencyKey !== undefined) return request.idempotencyKey;
  const paths = route.sends.naturalKey !== undefined ? [route.sends.naturalKey] : contract.naturalKey;
  if (paths === undefined || paths.length === 0) {
    throw new IdocgateError(
      'IDEMPOTENCY_KEY_REQUIRED',
      `contract ${contract.name} has no natural key: send an Idempotency-Key header (or set partners.${route.partnerName}.sends[].naturalKey)`,
    );
  }
  const values = paths.map((p) => valueAt(value, p));
  const missing = paths.filter((_, i) => values[i] === undefined);
  if (missing.length > 0) {
    throw new IdocgateError(
      'IDEMPOTENCY_KEY_REQUIRED',
      `no Idempotency-Key header and the natural key of ${contract.name} (${missing.join(', ')}) is empty`,
      {
        issues: missing.map((p) => ({
          code: 'IDEMPOTENCY_KEY_REQUIRED',
          message: `${p} is empty`,
          path: `/${p.replaceAll('.', '/')}`,
        })),
      },
    );
  }
  return `${contract.name}:${values.join('|')}`;
}

function receiveInputForJson(
  request: IngestRequest,
  route: FromPartnerRoute,
  payload: unknown,
  targetIdoc: string | undefined,
  idempotencyKey: string,
): ReceiveInput {
  const keys = jsonSearchKeys(payload);
  const orderingKey = orderingKeyFor(route.sends.orderingKey, route.partnerName, keys);
  return {
    direction: 'in',
    partner: route.partnerName,
    channel: channelOf(route),
    messageType: route.sends.messageType,
    ...opt('idocType', targetIdoc),
    sender: { prt: route.partner.type, prn: route.partner.number },
    ...opt('orderingKey', orderingKey),
    ...(orderingKey !== undefined && route.sends.releaseOn !== 'delivered'
      ? { releaseOn: route.sends.releaseOn }
      : {}),
    idempotencyKey,
    raw: { format: 'json', content: request.body, contentType: request.contentType ?? 'application/json' },
    searchKeys: keys,
    text: `${searchText(keys)} ${payloadText(payload)}`,
    by: `edge:${request.channel}`,
  };
}

/** Checks a partner JSON request and returns what to store. Throws 4xx errors. */
function prepareJson(deps: ReceiveDeps, request: IngestRequest): ReceiveInput {
  const { principal } = request;
  if (principal.kind !== 'partner') {
    throw new IdocgateError('PRINCIPAL_NOT_ALLOWED', 'JSON payloads are posted by partners');
  }
  const contractName = request.contract ?? '';
  const route = routePartnerJson(deps.config, principal.name, contractName, KNOWN_CONTRACTS);
  const contract = CONTRACTS.get(contractName);
  if (contract === undefined)
    throw new IdocgateError('CONTRACT_UNKNOWN', `no payload contract is named "${contractName}"`);
  const value =
    request.checked !== undefined && request.checked.contract === contract.name
      ? request.checked.value
      : checkedValue(contract, request.body);
  const mapping = route.sends.mapping !== undefined ? deps.mappings.get(route.sends.mapping) : undefined;
  return receiveInputForJson(
    request,
    route,
    value,
    mapping?.target.idoc,
    idempotencyKeyOf(request, route, contract, value),
  );
}

/** The body parsed and checked against the contract. Throws PAYLOAD_INVALID. */
function checkedValue(contract: PayloadContract, body: string | Uint8Array): unknown {
  let payload: unknown;
  try {
    payload = JSON.parse(bodyText(body));
  } catch (e) {
    throw new IdocgateError('PAYLOAD_INVALID', `the body is not valid JSON (${(e as Error).message})`);
  }
  const checked = checkPayload(contract, payload);
  if (!checked.ok) {
    throw new IdocgateError('PAYLOAD_INVALID', `the body does not match contract ${contract.name}`, {
      issues: checked.issues,
    });
  }
  return checked.value;
}

export async function ingest(deps: ReceiveDeps, request: IngestRequest): Promise<IngestResult> {
  const isJson = request.channel === 'partner-json' || request.contract !== undefined;
  let inputs: ReceiveInput[];
  let warnings: Issue[] = [];
  if (isJson) {
    inputs = [prepareJson(deps, request)];
  } else {
    const read = readIdocInput(request.body, deps.definitions);
    warnings = read.warnings;
    if (read.idocs.length === 0) throw new IdocgateError('IDOC_NO_CONTROL_RECORD', 'The input holds no IDoc');
    // Route every IDoc before storing any: a rejected request stores nothing.
    const routes = read.idocs.map((idoc) => routeIdoc(deps, request.principal, idoc));
    const n = read.idocs.length;
    inputs = read.idocs.map((idoc, i) =>
      receiveInputForIdoc(
        deps,
        request,
        routes[i]!,
        idoc,
        rawOf(request, read.format, idoc, n, deps),
        request.idempotencyKey === undefined
          ? undefined
          : n === 1
            ? request.idempotencyKey
            : `${request.idempotencyKey}#${i + 1}`,
      ),
    );
  }
  // A packet without ordering keys is stored and queued together: the store's group commit puts
  // its IDocs into one statement and the queue adds their jobs in one call. With ordering keys
  // receipt order matters, so they go one after the other.
  let messages: IngestedMessage[];
  if (inputs.length > 1 && inputs.every((i) => i.orderingKey === undefined)) {
    messages = await Promise.all(inputs.map((input) => storeAndQueue(deps, input)));
  } else {
    messages = [];
    for (const input of inputs) messages.push(await storeAndQueue(deps, input));
  }
  return { messages, warnings };
}

/** The enqueue token of a message's first generation (see enqueue.ts). */
const FIRST_TOKEN = '1';

async function storeAndQueue(deps: ReceiveDeps, input: ReceiveInput): Promise<IngestedMessage> {
  // Without an ordering key the store queues it in the receipt's own transaction (one commit);
  // the job is added right after. With one, admission decides (head or blocked).
  const result = await deps.store.receive(
    input.orderingKey === undefined ? { ...input, queueToken: FIRST_TOKEN } : input,
  );
  const m: MessageRecord = result.message;
  if (result.duplicate && result.duplicateOf !== 'idempotency-key' && input.direction === 'in') {
    const again = await sentAgain(deps, m, input);
    if (again !== undefined) return again;
  }
  if (result.duplicate) {
    deps.logger.info(
      { messageId: m.id, partner: m.partner, docnum: m.docnum, duplicateOf: result.duplicateOf },
      'duplicate answered with the original message',
    );
    return summary(m, true);
  }
  deps.metrics.count('received', {
    partner: m.partner ?? '-',
    messageType: m.messageType ?? '-',
    direction: m.direction,
  });
  let outcome: Awaited<ReturnType<typeof admit>> | 'error';
  try {
    outcome =
      m.status === 'queued' && m.enqueueToken === FIRST_TOKEN
        ? await addJob(deps, m, FIRST_TOKEN, input.by)
        : await admit(deps, m, input.by);
  } catch (e) {
    // Durable already: answer 2xx; the recovery job queues it.
    deps.logger.warn(
      { messageId: m.id, err: e instanceof Error ? e.message : String(e) },
      'queueing after receipt failed',
    );
    outcome = 'error';
  }
  const status = outcome === 'queued' ? 'queued' : outcome === 'blocked' ? 'blocked' : m.status;
  return summary({ ...m, status }, false);
}

/** A repeat of these is taken as a new attempt of the message (SAP's BD87 / status 11 resend). */
const ENDED_BADLY: readonly MessageStatus[] = ['dead', 'failed', 'cancelled'];
/** With changed content, a repeat is a new attempt in any status but `processing`. */
const REOPENABLE: readonly MessageStatus[] = [
  'received',
  'queued',
  'blocked',
  'failed',
  'dead',
  'cancelled',
  'delivered',
  'posted',
  'sap-error',
  'unconfirmed',
  'in-doubt',
];

/**
 * The rule for a DOCNUM (or ARCKEY) that comes again (docs/sap-feedback.md, "SAP sends again"):
 * a repeat of a message that ended dead, failed or cancelled, or whose content differs from what
 * the gateway holds, is a new attempt of the same message: a new version, audited, processed
 * again. An identical repeat of a message in flight or delivered stays a duplicate (undefined).
 */
async function sentAgain(
  deps: ReceiveDeps,
  m: MessageRecord,
  input: ReceiveInput,
): Promise<IngestedMessage | undefined> {
  const held = inputVersion(await deps.store.versions(m.id));
  const changed = canonicalOf(deps, held.content) !== canonicalOf(deps, input.raw.content);
  if (!changed && !ENDED_BADLY.includes(m.status)) return undefined;
  if (changed) {
    await deps.store.addVersion(m.id, {
      kind: 'raw',
      format: input.raw.format,
      content: input.raw.content,
      ...(input.raw.contentType !== undefined ? { contentType: input.raw.contentType } : {}),
      createdBy: input.by,
      note: 'sent again by the sender with other content',
    });
  }
  const why = changed ? 'sent again with other content' : `sent again after it ended ${m.status}`;
  const reopened = await deps.store.transition(m.id, 'received', {
    by: input.by,
    expectFrom: changed ? REOPENABLE : ENDED_BADLY,
    text: `${why}: processed again`,
    error: null,
    nextAttemptAt: null,
    confirmBy: null,
  });
  if (!reopened) return undefined;
  await deps.store.appendAudit({
    actor: input.by,
    action: 'sent-again',
    reason: why,
    messageId: m.id,
    details: { from: m.status, docnum: m.docnum, changed },
  });
  deps.logger.info(
    { messageId: m.id, docnum: m.docnum, from: m.status, changed },
    'message sent again: processed again',
  );
  const now = (await deps.store.get(m.id)) ?? m;
  const outcome = await admit(deps, now, input.by).catch(() => 'error' as const);
  return summary(
    { ...now, status: outcome === 'queued' ? 'queued' : outcome === 'blocked' ? 'blocked' : now.status },
    false,
  );
}

/**
 * The content as canonical IDoc JSON when it reads as one IDoc (raw XML, SOAP, flat, a stored
 * parsed model or an edit), else its text: two sendings compare equal when they hold the same IDoc.
 */
function canonicalOf(deps: Pick<ReceiveDeps, 'definitions'>, content: string | Uint8Array): string {
  try {
    const read = readIdocInput(content, deps.definitions);
    if (read.idocs.length === 1) return idocToJson(read.idocs[0]!);
  } catch {
    // not an IDoc: compared as text
  }
  return bodyText(content);
}

function summary(m: MessageRecord, duplicate: boolean): IngestedMessage {
  return { id: m.id, status: m.status, duplicate, docnum: m.docnum, messageType: m.messageType };
}

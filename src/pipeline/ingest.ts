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
import type { PipelineDeps } from './deps.js';
import type { IngestRequest, IngestResult, IngestedMessage, Principal } from './gateway-port.js';
import { addJob } from './enqueue.js';
import { admit } from './ordering.js';
import {
  IDOC_CONTRACT,
  channelOf,
  findPartner,
  findSapPort,
  routePartnerIdoc,
  routePartnerJson,
  routeSapIdoc,
  type FromPartnerRoute,
  type ToPartnerRoute,
} from './routing.js';
import { idocSearchKeys, jsonSearchKeys, searchText } from './search-keys.js';
import { bodyText, idocToJson, readIdocInput, type InputFormat } from './wire.js';
import { orderingKeyFor } from './ordering.js';
import type { MessageRecord, PartyRef, ReceiveInput } from './store-port.js';

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
function routeIdoc(deps: PipelineDeps, principal: Principal, idoc: Idoc): ToPartnerRoute | FromPartnerRoute {
  const { config } = deps;
  switch (principal.kind) {
    case 'port':
      if (config.ports[principal.name] === undefined) {
        throw new IdocgateError('PRINCIPAL_NOT_ALLOWED', `port ${principal.name} is not configured`);
      }
      return routeSapIdoc(config, idoc.control, principal.name);
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
      return routeSapIdoc(config, idoc.control, findSapPort(config, idoc.control));
    }
  }
}

/** The raw version of one IDoc of a request: the body itself, or the IDoc re-encoded when the body held several. */
function rawOf(
  request: IngestRequest,
  format: InputFormat,
  idoc: Idoc,
  count: number,
  deps: PipelineDeps,
): ReceiveInput['raw'] {
  const payloadFormat = format === 'soap' ? 'soap' : format;
  if (count === 1) {
    return { format: payloadFormat, content: request.body, ...opt('contentType', request.contentType) };
  }
  return { format: payloadFormat, content: writeIdocs([idoc], format, deps.definitions) };
}

function receiveInputForIdoc(
  deps: PipelineDeps,
  request: IngestRequest,
  route: ToPartnerRoute | FromPartnerRoute,
  idoc: Idoc,
  raw: ReceiveInput['raw'],
  idempotencyKey: string | undefined,
): ReceiveInput {
  const c = idoc.control;
  const keys = idocSearchKeys(idoc);
  const spec = route.kind === 'to-partner' ? route.receives.orderingKey : route.sends.orderingKey;
  const orderingKey = orderingKeyFor(spec, route.partnerName, keys, c);
  return {
    direction: 'in',
    partner: route.partnerName,
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
    raw,
    parsed: { format: 'json', content: idocToJson(idoc), contentType: 'application/json' },
    searchKeys: keys,
    text: searchText(keys),
    by: `edge:${request.channel}`,
  };
}

function receiveInputForJson(
  request: IngestRequest,
  route: FromPartnerRoute,
  payload: unknown,
  targetIdoc: string | undefined,
): ReceiveInput {
  const keys = jsonSearchKeys(payload);
  return {
    direction: 'in',
    partner: route.partnerName,
    channel: channelOf(route),
    messageType: route.sends.messageType,
    ...opt('idocType', targetIdoc),
    sender: { prt: route.partner.type, prn: route.partner.number },
    ...opt('orderingKey', orderingKeyFor(route.sends.orderingKey, route.partnerName, keys)),
    ...opt('idempotencyKey', request.idempotencyKey),
    raw: { format: 'json', content: request.body, contentType: request.contentType ?? 'application/json' },
    searchKeys: keys,
    text: searchText(keys),
    by: `edge:${request.channel}`,
  };
}

/** Checks a partner JSON request and returns what to store. Throws 4xx errors. */
function prepareJson(deps: PipelineDeps, request: IngestRequest): ReceiveInput {
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
  return receiveInputForJson(request, route, value, mapping?.target.idoc);
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

export async function ingest(deps: PipelineDeps, request: IngestRequest): Promise<IngestResult> {
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
  const messages: IngestedMessage[] = [];
  for (const input of inputs) messages.push(await storeAndQueue(deps, input));
  return { messages, warnings };
}

/** The enqueue token of a message's first generation (see enqueue.ts). */
const FIRST_TOKEN = '1';

async function storeAndQueue(deps: PipelineDeps, input: ReceiveInput): Promise<IngestedMessage> {
  // Without an ordering key the store queues it in the receipt's own transaction (one commit);
  // the job is added right after. With one, admission decides (head or blocked).
  const result = await deps.store.receive(
    input.orderingKey === undefined ? { ...input, queueToken: FIRST_TOKEN } : input,
  );
  const m: MessageRecord = result.message;
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

function summary(m: MessageRecord, duplicate: boolean): IngestedMessage {
  return { id: m.id, status: m.status, duplicate, docnum: m.docnum, messageType: m.messageType };
}

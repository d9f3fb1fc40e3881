/** Support API query strings -> the store's MessageQuery, with every problem reported. */
import { IdocgateError, type Issue } from '../errors.js';
import { type MessageQuery, type MessageStatus } from '../pipeline/store-port.js';
import { MESSAGE_STATUSES } from '../pipeline/lifecycle.js';

export type QueryParams = Readonly<Record<string, string | undefined>>;

function date(value: string | undefined, name: string, issues: Issue[]): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    issues.push({
      code: 'QUERY_INVALID',
      path: name,
      message: `${name}: not an ISO 8601 date/time: "${value}"`,
    });
    return undefined;
  }
  return d;
}

/** Parameters taken as they are (text), in both directions. */
const TEXT_PARAMS = [
  'partner',
  'idocType',
  'messageType',
  'docnum',
  'orderingKey',
  'errorCode',
  'serial',
  'text',
] as const;

/** Builds a MessageQuery; throws QUERY_INVALID listing every bad parameter. */
export function parseMessageQuery(q: QueryParams): MessageQuery {
  const issues: Issue[] = [];
  const query: {
    -readonly [K in keyof MessageQuery]: MessageQuery[K];
  } = {};
  const status = q['status'] ?? q['statuses'];
  if (status !== undefined && status !== '') {
    const list = status.split(',').map((s) => s.trim());
    const bad = list.filter((s) => !(MESSAGE_STATUSES as readonly string[]).includes(s));
    if (bad.length > 0)
      issues.push({
        code: 'QUERY_INVALID',
        path: 'status',
        message: `status: unknown ${bad.join(', ')} (known: ${MESSAGE_STATUSES.join(', ')})`,
      });
    else query.statuses = list as MessageStatus[];
  }
  const direction = q['direction'];
  if (direction !== undefined && direction !== '') {
    if (direction === 'in' || direction === 'out') query.direction = direction;
    else issues.push({ code: 'QUERY_INVALID', path: 'direction', message: 'direction: use in or out' });
  }
  for (const name of TEXT_PARAMS) {
    const v = q[name];
    if (v !== undefined && v !== '') query[name] = v;
  }
  const key = q['key'];
  if (key !== undefined && key !== '') {
    const kind = q['keyKind'];
    query.key = kind ? { kind, value: key } : { value: key };
  }
  const from = date(q['from'], 'from', issues);
  const to = date(q['to'], 'to', issues);
  if (from) query.createdFrom = from;
  if (to) query.createdTo = to;
  if (issues.length > 0)
    throw new IdocgateError('QUERY_INVALID', issues.map((i) => i.message).join('; '), { issues });
  return query;
}

/**
 * A MessageQuery back in the query-string vocabulary parseMessageQuery reads (and the console's
 * message filters use): what a bulk replay runs, shown in the same words the operator filtered by.
 */
export function messageQueryParams(query: MessageQuery): Record<string, string> {
  const out: Record<string, string> = {};
  if (query.statuses && query.statuses.length > 0) out['status'] = query.statuses.join(',');
  if (query.direction) out['direction'] = query.direction;
  for (const name of TEXT_PARAMS) {
    const v = query[name];
    if (v !== undefined && v !== '') out[name] = v;
  }
  if (query.key) {
    if (query.key.kind) out['keyKind'] = query.key.kind;
    out['key'] = query.key.value;
  }
  if (query.createdFrom) out['from'] = query.createdFrom.toISOString();
  if (query.createdTo) out['to'] = query.createdTo.toISOString();
  return out;
}

/**
 * Routing: which partner profile (WE20) and which SAP port (WE21) a message belongs to, and the
 * queue (destination) it is worked from. Pure functions over the frozen config.
 *
 *   SAP -> partner: receiver partner (RCVPRN/RCVPRT) + MESTYP (+ IDOCTYP) against partners[].receives
 *   partner -> SAP: partners[name].sends[contract | messageType] -> mapping -> port
 *
 * The route is written into the message's `channel` at ingest (see `channelOf`), so a worker can
 * find it again from the stored record; it is looked up in the config again at processing time.
 */
import type { Config, PartnerProfile, PortConfig } from '../config/schema.js';
import { IdocgateError } from '../errors.js';
import type { ControlRecord } from '../idoc/model.js';
import type { RetryPolicy } from '../config/schema.js';
import type { MessageRecord } from './store-port.js';

export type ReceivesEntry = PartnerProfile['receives'][number];
export type SendsEntry = PartnerProfile['sends'][number];

/** SAP sent an IDoc for a partner. */
export interface ToPartnerRoute {
  readonly kind: 'to-partner';
  readonly partnerName: string;
  readonly partner: PartnerProfile;
  readonly receives: ReceivesEntry;
  readonly receivesIndex: number;
  /** The port (SAP system) it came from, when known: where status IDocs go. */
  readonly sourcePort: string | undefined;
}

/** A partner sent something for SAP (JSON through a contract, or an IDoc). */
export interface FromPartnerRoute {
  readonly kind: 'from-partner';
  readonly partnerName: string;
  readonly partner: PartnerProfile;
  readonly sends: SendsEntry;
  readonly portName: string;
  readonly port: PortConfig;
}

/** The gateway itself sends an IDoc to SAP (status IDocs). */
export interface GatewayRoute {
  readonly kind: 'gateway';
  readonly portName: string;
  readonly port: PortConfig;
}

/**
 * SAP reports back on IDocs the gateway sent it (ALEAUD01 / SYSTAT01 to the gateway's own logical
 * system, on a port with `feedback`): applied to the messages it names, not delivered anywhere.
 */
export interface FeedbackRoute {
  readonly kind: 'feedback';
  readonly portName: string;
  readonly port: PortConfig;
}

export type Route = ToPartnerRoute | FromPartnerRoute | GatewayRoute | FeedbackRoute;

/** Routes whose messages are delivered somewhere by a transport. */
export type DeliverableRoute = Exclude<Route, FeedbackRoute>;

/** The port (SAP system) a route sends to, for routes that go to SAP. */
export function sapPortOf(route: Route): { readonly name: string; readonly port: PortConfig } | undefined {
  return route.kind === 'from-partner' || route.kind === 'gateway'
    ? { name: route.portName, port: route.port }
    : undefined;
}

/** Message types of SAP's feedback IDocs, by what `feedback.expect` accepts them. */
const FEEDBACK_MESSAGE_TYPES: Readonly<Record<string, readonly string[]>> = {
  ALEAUD: ['ALEAUD', 'any'],
  STATUS: ['STATUS', 'any'],
};

/**
 * The feedback route of an IDoc SAP posted through `portName`, when it is SAP's ALE audit or
 * STATUS report to the gateway: the port expects that kind of feedback and the IDoc is addressed
 * to the gateway's own logical system (the port's SNDPRN, which the gateway writes into what it
 * sends) or to no configured partner.
 */
export function feedbackRouteOf(
  config: Readonly<Config>,
  portName: string | undefined,
  control: ControlRecord,
): FeedbackRoute | undefined {
  if (portName === undefined) return undefined;
  const port = config.ports[portName];
  if (port === undefined) return undefined;
  const accepted = FEEDBACK_MESSAGE_TYPES[trim(control.MESTYP)];
  if (accepted === undefined || !accepted.includes(port.feedback.expect)) return undefined;
  const rcvprn = trim(control.RCVPRN);
  const own = port.control.SNDPRN;
  const addressedToUs =
    (own !== undefined && rcvprn === own) || findPartner(config, rcvprn, trim(control.RCVPRT)) === undefined;
  return addressedToUs ? { kind: 'feedback', portName, port } : undefined;
}

/** Contract name of partner-posted IDocs in `sends[].contract`. */
export const IDOC_CONTRACT = 'idoc';

/** Retry policy for gateway-generated messages (status IDocs), which have no partner profile. */
export const GATEWAY_RETRY: RetryPolicy = {
  attempts: 8,
  backoff: 2000,
  maxBackoff: 15 * 60_000,
  jitter: 0.2,
};
export const GATEWAY_CONCURRENCY = 4;

/** Queue of a partner profile: messages to and from the partner share its concurrency, rate and retry. */
export function partnerDestination(name: string): string {
  return `partner.${name}`;
}

/** Queue of a port: gateway-generated IDocs for that SAP system. */
export function portDestination(name: string): string {
  return `port.${name}`;
}

/** The queue a stored message is worked from. */
export function destinationOf(message: MessageRecord): string {
  if (message.partner !== null) return partnerDestination(message.partner);
  const ch = parseChannel(message.channel);
  return portDestination(ch.name);
}

export interface DestinationSettings {
  readonly name: string;
  readonly retry: RetryPolicy;
  readonly concurrency: number;
  readonly rateLimit?: { readonly max: number; readonly per: number };
}

/** Every queue the config implies: one per partner profile, one per port. */
export function destinations(config: Readonly<Config>): DestinationSettings[] {
  const out: DestinationSettings[] = [];
  for (const [name, p] of Object.entries(config.partners)) {
    out.push({
      name: partnerDestination(name),
      retry: p.retry,
      concurrency: p.concurrency,
      ...(p.rateLimit !== undefined ? { rateLimit: p.rateLimit } : {}),
    });
  }
  for (const name of Object.keys(config.ports)) {
    out.push({ name: portDestination(name), retry: GATEWAY_RETRY, concurrency: GATEWAY_CONCURRENCY });
  }
  return out;
}

export function destinationSettings(config: Readonly<Config>, destination: string): DestinationSettings {
  return (
    destinations(config).find((d) => d.name === destination) ?? {
      name: destination,
      retry: GATEWAY_RETRY,
      concurrency: GATEWAY_CONCURRENCY,
    }
  );
}

// --- channels ----------------------------------------------------------------------------------

/**
 * `port:<port>` (from SAP through that port; `port:` when unknown), `partner:<name>:<contract>`
 * (from a partner), `gateway:<port>` (created by the gateway for that port), `feedback:<port>`
 * (SAP's status reports on what the gateway sent through that port).
 */
export function channelOf(route: Route): string {
  switch (route.kind) {
    case 'to-partner':
      return `port:${route.sourcePort ?? ''}`;
    case 'from-partner':
      return `partner:${route.partnerName}:${route.sends.contract}`;
    case 'gateway':
      return `gateway:${route.portName}`;
    case 'feedback':
      return `feedback:${route.portName}`;
  }
}

export function parseChannel(channel: string | null): { kind: string; name: string; contract: string } {
  const [kind = '', name = '', contract = ''] = (channel ?? '').split(':');
  return { kind, name, contract };
}

// --- lookups -----------------------------------------------------------------------------------

const trim = (v: string | undefined): string => (v ?? '').trim();

/** The partner profile with this partner number (and type, when given). */
export function findPartner(
  config: Readonly<Config>,
  number: string,
  type?: string,
): [string, PartnerProfile] | undefined {
  const n = number.trim();
  const t = type?.trim() ?? '';
  return Object.entries(config.partners).find(([, p]) => p.number === n && (t === '' || p.type === t));
}

/** The configured port an SAP IDoc came from: RCVPOR/RCVPRN of the port = SNDPOR/SNDPRN of SAP. */
export function findSapPort(config: Readonly<Config>, control: ControlRecord): string | undefined {
  const por = trim(control.SNDPOR);
  const prn = trim(control.SNDPRN);
  const hit = Object.entries(config.ports).find(
    ([, p]) => (por !== '' && p.control.RCVPOR === por) || (prn !== '' && p.control.RCVPRN === prn),
  );
  return hit?.[0];
}

function receivesIndex(p: PartnerProfile, mestyp: string, idoctyp: string): number {
  return p.receives.findIndex(
    (r) => r.messageType === mestyp && (r.idocType === undefined || r.idocType === idoctyp),
  );
}

/** Routes an IDoc SAP sent (port principal): receiver partner + MESTYP (+ IDOCTYP). */
export function routeSapIdoc(
  config: Readonly<Config>,
  control: ControlRecord,
  sourcePort: string | undefined,
): ToPartnerRoute {
  const prn = trim(control.RCVPRN);
  const prt = trim(control.RCVPRT);
  const mestyp = trim(control.MESTYP);
  const idoctyp = trim(control.IDOCTYP);
  const found = findPartner(config, prn, prt);
  if (found === undefined) {
    throw new IdocgateError(
      'PARTNER_UNKNOWN',
      `no partner profile has partner number ${prn || '(empty RCVPRN)'}${prt ? ` of type ${prt}` : ''}`,
      {
        issues: [
          { code: 'PARTNER_UNKNOWN', message: `unknown receiver ${prt}/${prn}`, path: 'EDI_DC40.RCVPRN' },
        ],
      },
    );
  }
  const [partnerName, partner] = found;
  const index = receivesIndex(partner, mestyp, idoctyp);
  if (index < 0) {
    throw new IdocgateError(
      'MESSAGE_TYPE_NOT_ALLOWED',
      `partner ${partnerName} does not receive message type ${mestyp || '(empty MESTYP)'} / ${idoctyp}`,
      {
        issues: [
          { code: 'MESSAGE_TYPE_NOT_ALLOWED', message: `${mestyp} not in receives`, path: 'EDI_DC40.MESTYP' },
        ],
      },
    );
  }
  return {
    kind: 'to-partner',
    partnerName,
    partner,
    receives: partner.receives[index]!,
    receivesIndex: index,
    sourcePort,
  };
}

function fromPartner(
  config: Readonly<Config>,
  partnerName: string,
  partner: PartnerProfile,
  sends: SendsEntry,
): FromPartnerRoute {
  const port = config.ports[sends.port];
  if (port === undefined) {
    throw new IdocgateError(
      'ROUTE_NOT_CONFIGURED',
      `partner ${partnerName} sends ${sends.messageType} to unknown port ${sends.port}`,
    );
  }
  return { kind: 'from-partner', partnerName, partner, sends, portName: sends.port, port };
}

function partnerNamed(config: Readonly<Config>, name: string): PartnerProfile {
  const partner = config.partners[name];
  if (partner === undefined) {
    throw new IdocgateError('PARTNER_UNKNOWN', `no partner profile is named ${name}`);
  }
  return partner;
}

/** Routes partner JSON posted under a contract name. */
export function routePartnerJson(
  config: Readonly<Config>,
  partnerName: string,
  contract: string,
  knownContracts: ReadonlySet<string>,
): FromPartnerRoute {
  const partner = partnerNamed(config, partnerName);
  const sends = partner.sends.find((s) => s.contract === contract);
  if (sends === undefined) {
    if (!knownContracts.has(contract)) {
      throw new IdocgateError('CONTRACT_UNKNOWN', `no payload contract is named "${contract}"`);
    }
    throw new IdocgateError(
      'MESSAGE_TYPE_NOT_ALLOWED',
      `partner ${partnerName} does not send contract ${contract}`,
    );
  }
  return fromPartner(config, partnerName, partner, sends);
}

/** Routes an IDoc a partner posted: `sends` with contract `idoc` and the IDoc's MESTYP. */
export function routePartnerIdoc(
  config: Readonly<Config>,
  partnerName: string,
  control: ControlRecord,
): FromPartnerRoute {
  const partner = partnerNamed(config, partnerName);
  const mestyp = trim(control.MESTYP);
  const sndprn = trim(control.SNDPRN);
  if (sndprn !== '' && sndprn !== partner.number) {
    throw new IdocgateError(
      'MESSAGE_TYPE_NOT_ALLOWED',
      `partner ${partnerName} (${partner.number}) may only send its own IDocs; SNDPRN is ${sndprn}`,
      {
        issues: [
          {
            code: 'SENDER_MISMATCH',
            message: `SNDPRN ${sndprn} is not ${partner.number}`,
            path: 'EDI_DC40.SNDPRN',
          },
        ],
      },
    );
  }
  const sends = partner.sends.find((s) => s.contract === IDOC_CONTRACT && s.messageType === mestyp);
  if (sends === undefined) {
    throw new IdocgateError(
      'MESSAGE_TYPE_NOT_ALLOWED',
      `partner ${partnerName} does not send IDocs of message type ${mestyp}`,
    );
  }
  return fromPartner(config, partnerName, partner, sends);
}

/** The route of a stored message, looked up in the (current) config. Throws ROUTE_NOT_CONFIGURED. */
export function routeOf(config: Readonly<Config>, m: MessageRecord): Route {
  const ch = parseChannel(m.channel);
  const lost = (what: string): IdocgateError =>
    new IdocgateError('ROUTE_NOT_CONFIGURED', `message ${m.id}: ${what} is no longer configured`);
  if (ch.kind === 'gateway' || ch.kind === 'feedback') {
    const port = config.ports[ch.name];
    if (port === undefined) throw lost(`port ${ch.name}`);
    return { kind: ch.kind, portName: ch.name, port };
  }
  const partnerName = m.partner ?? '';
  const partner = config.partners[partnerName];
  if (partner === undefined) throw lost(`partner ${partnerName}`);
  if (ch.kind === 'partner') {
    const sends = partner.sends.find(
      (s) => s.contract === ch.contract && (ch.contract !== IDOC_CONTRACT || s.messageType === m.messageType),
    );
    if (sends === undefined) throw lost(`partner ${partnerName} sending ${ch.contract}`);
    return fromPartner(config, partnerName, partner, sends);
  }
  const index = receivesIndex(partner, m.messageType ?? '', m.idocType ?? '');
  if (index < 0) throw lost(`partner ${partnerName} receiving ${m.messageType ?? ''}`);
  return {
    kind: 'to-partner',
    partnerName,
    partner,
    receives: partner.receives[index]!,
    receivesIndex: index,
    sourcePort: ch.name === '' ? undefined : ch.name,
  };
}

/**
 * The work of one delivery before the transport is called: decode the current payload version,
 * validate, map (storing the mapped version once: retries reuse it, so a generated DOCNUM stays
 * the same), and encode in the wire format the destination's transport declares.
 */
import { IdocgateError } from '../errors.js';
import type { Idoc } from '../idoc/model.js';
import { validateIdoc } from '../idoc/validate.js';
import { runMapping } from '../mapping/run.js';
import type { CompiledMapping } from '../mapping/types.js';
import { inputVersion } from './payload-version.js';
import type { OutboundDelivery } from './transport-port.js';
import type { DeliverDeps, PipelineDeps, TransportRef } from './deps.js';
import { newOutboundIdoc } from './outbound-idoc.js';
import { IDOC_CONTRACT, type DeliverableRoute } from './routing.js';
import { idocSearchKeys, searchText } from './search-keys.js';
import type { MessageRecord, VersionRecord } from './store-port.js';
import { bodyText, encodeIdoc, idocFromJson, idocToJson, readIdocInput } from './wire.js';

export interface PreparedDelivery {
  readonly transportKey: string;
  readonly transport: TransportRef;
  readonly delivery: OutboundDelivery;
  /** The IDoc as sent, for deliveries to SAP (several may travel in one packet). */
  readonly idoc?: Idoc;
}

function textOf(v: VersionRecord): string {
  return bodyText(v.content);
}

export function decodeIdoc(deps: Pick<PipelineDeps, 'definitions'>, v: VersionRecord): Idoc {
  // Canonical JSON (a stored parsed model of older rows, the gateway's own JSON raw): read directly.
  if ((v.kind === 'parsed' || v.kind === 'raw') && v.format === 'json') return idocFromJson(textOf(v));
  const read = readIdocInput(v.content, deps.definitions);
  if (read.idocs.length !== 1) {
    throw new IdocgateError(
      'IDOC_INVALID',
      `version ${v.version} holds ${read.idocs.length} IDocs; a message is one IDoc`,
    );
  }
  return read.idocs[0]!;
}

/** Validation errors (not warnings) throw IDOC_INVALID with every issue. Unknown types pass through. */
export function validate(deps: Pick<PipelineDeps, 'definitions'>, idoc: Idoc, what: string): void {
  const errors = validateIdoc(idoc, deps.definitions).filter(
    (i) => i.severity !== 'warning' && i.code !== 'IDOC_TYPE_UNKNOWN',
  );
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new IdocgateError(
      'IDOC_INVALID',
      `${what} does not validate: ${first.path ?? ''} ${first.message} (${errors.length} issue(s))`,
      {
        issues: errors,
      },
    );
  }
}

function mappingNamed(deps: DeliverDeps, name: string): CompiledMapping {
  const m = deps.mappings.get(name);
  if (m === undefined) throw new IdocgateError('ROUTE_NOT_CONFIGURED', `mapping ${name} is not loaded`);
  return m;
}

function mappingContext(deps: DeliverDeps): { now: Date; timeZone: string } {
  return { now: new Date(deps.clock.now()), timeZone: deps.config.timeZone };
}

export async function prepareDelivery(
  deps: DeliverDeps,
  m: MessageRecord,
  route: DeliverableRoute,
): Promise<PreparedDelivery> {
  const versions = await deps.store.versions(m.id);
  const input = inputVersion(versions);
  const mapped = versions.filter((v) => v.kind === 'mapped' && v.version > input.version).at(-1);
  const base = { messageId: m.id, ...(m.partner !== null ? { partner: m.partner } : {}) };

  if (route.kind === 'to-partner') {
    const idoc = decodeIdoc(deps, input);
    validate(deps, idoc, `IDoc ${m.docnum ?? ''}`);
    const transport = route.receives.transport as TransportRef;
    const transportKey = `partner:${route.partnerName}:receives:${route.receivesIndex}`;
    const common = { ...base, ...(m.docnum !== null ? { docnum: m.docnum } : {}), control: idoc.control };
    if (route.receives.mapping !== undefined) {
      let body: string;
      if (mapped !== undefined) {
        body = textOf(mapped);
      } else {
        const out = runMapping(mappingNamed(deps, route.receives.mapping), idoc, mappingContext(deps));
        body = JSON.stringify(out.output);
        await deps.store.addVersion(m.id, {
          kind: 'mapped',
          format: 'json',
          content: body,
          contentType: 'application/json',
          createdBy: 'pipeline',
          note: `mapping ${route.receives.mapping}`,
        });
      }
      return { transportKey, transport, delivery: { ...common, body, contentType: 'application/json' } };
    }
    const { wireFormat } = await deps.transports.get(transportKey, transport);
    const enc = encodeIdoc(idoc, wireFormat, deps.definitions, m.id);
    return {
      transportKey,
      transport,
      delivery: {
        ...common,
        body: enc.body,
        contentType: enc.contentType,
        ...(enc.arckey !== undefined ? { arckey: enc.arckey } : {}),
      },
    };
  }

  const transport = route.port.transport as TransportRef;
  const transportKey = `port:${route.portName}`;
  let idoc: Idoc;
  if (route.kind === 'gateway') {
    idoc = decodeIdoc(deps, input);
  } else if (mapped !== undefined) {
    idoc = idocFromJson(textOf(mapped));
  } else if (route.sends.contract === IDOC_CONTRACT && route.sends.mapping === undefined) {
    // A partner's IDoc goes to SAP as it is, with the port's defaults for what it leaves open.
    const own = decodeIdoc(deps, input);
    idoc = { ...own, control: { ...(route.port.control as Idoc['control']), ...own.control } };
    validate(deps, idoc, `IDoc ${m.docnum ?? ''}`);
  } else {
    if (route.sends.mapping === undefined) {
      throw new IdocgateError(
        'ROUTE_NOT_CONFIGURED',
        `partner ${route.partnerName} sends ${route.sends.contract} without a mapping`,
      );
    }
    const mapping = mappingNamed(deps, route.sends.mapping);
    const source: unknown =
      route.sends.contract === IDOC_CONTRACT ? decodeIdoc(deps, input) : JSON.parse(textOf(input));
    const out = runMapping(mapping, source, mappingContext(deps)).output as Idoc;
    idoc = await newOutboundIdoc(deps, {
      port: route.portName,
      control: out.control,
      idocType: mapping.target.idoc ?? out.control.IDOCTYP ?? '',
      messageType: out.control.MESTYP ?? mapping.target.messageType ?? route.sends.messageType,
      segments: out.segments,
      sender: { prt: route.partner.type, prn: route.partner.number },
    });
    const docnum = idoc.control.DOCNUM ?? '';
    validate(deps, idoc, `the ${idoc.control.IDOCTYP ?? ''} IDoc mapped by ${mapping.name}`);
    const keys = [...idocSearchKeys(idoc), { kind: 'docnum', value: docnum }];
    await deps.store.addVersion(m.id, {
      kind: 'mapped',
      format: 'json',
      content: idocToJson(idoc),
      contentType: 'application/json',
      createdBy: 'pipeline',
      note: `mapping ${mapping.name}: ${idoc.control.IDOCTYP ?? ''} DOCNUM ${docnum}`,
      searchKeys: { keys, text: `${docnum} ${searchText(keys)}` },
    });
  }
  const { wireFormat } = await deps.transports.get(transportKey, transport);
  const enc = encodeIdoc(idoc, wireFormat, deps.definitions, m.id);
  const docnum = idoc.control.DOCNUM?.trim();
  return {
    transportKey,
    transport,
    idoc,
    delivery: {
      ...base,
      body: enc.body,
      contentType: enc.contentType,
      control: idoc.control,
      ...(docnum ? { docnum } : {}),
      ...(enc.arckey !== undefined ? { arckey: enc.arckey } : {}),
    },
  };
}

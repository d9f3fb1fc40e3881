/**
 * `rfc`: deliver a flat IDoc to SAP by calling IDOC_INBOUND_ASYNCHRONOUS through node-rfc, an
 * optional dependency that needs SAP's NW RFC SDK (not redistributable, so not installed by
 * default). Without them every send fails permanently with TRANSPORT_RFC_UNAVAILABLE and a
 * message saying exactly that. node-rfc is imported lazily, at the first send.
 */
import { z } from 'zod';
import { durationSchema, envNameSchema, resolveSecretValue } from './options.js';
import { buildRfcTables, rfcTransactionId } from './rfc-tables.js';
import { redact, TransportError } from './transport-error.js';
import type { CreatedTransport, DeliveryReceipt, TransportDefinition, TransportDeps } from './types.js';

export const RFC_UNAVAILABLE_MESSAGE =
  'node-rfc is not installed (npm install node-rfc) and needs the SAP NW RFC SDK: see docs/transports.md';

export const rfcOptionsSchema = z
  .object({
    /** Destination in sapnwrfc.ini; or give the connection fields below. */
    dest: z.string().min(1).optional(),
    ashost: z.string().min(1).optional(),
    sysnr: z
      .string()
      .regex(/^\d{2}$/, 'two digits, e.g. 00')
      .optional(),
    mshost: z.string().min(1).optional(),
    sysid: z.string().min(1).optional(),
    group: z.string().min(1).optional(),
    saprouter: z.string().min(1).optional(),
    client: z
      .string()
      .regex(/^\d{3}$/, 'three digits, e.g. 100')
      .optional(),
    lang: z.string().min(1).max(2).default('EN'),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    passwordEnv: envNameSchema.optional(),
    timeout: durationSchema.default(120_000),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.dest !== undefined) return;
    const direct = o.ashost !== undefined && o.sysnr !== undefined;
    const balanced = o.mshost !== undefined && o.sysid !== undefined && o.group !== undefined;
    if (!direct && !balanced) {
      ctx.addIssue({
        code: 'custom',
        path: ['dest'],
        message: 'give dest (sapnwrfc.ini), or ashost + sysnr, or mshost + sysid + group',
      });
    }
    if (o.client === undefined)
      ctx.addIssue({ code: 'custom', path: ['client'], message: 'client is required' });
    if (o.user === undefined) ctx.addIssue({ code: 'custom', path: ['user'], message: 'user is required' });
    if (o.password === undefined && o.passwordEnv === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['passwordEnv'],
        message: 'give passwordEnv (or a resolved password)',
      });
    }
  });

export type RfcOptions = z.output<typeof rfcOptionsSchema>;

/** The part of node-rfc's Client this transport uses. */
interface RfcClientLike {
  open(): Promise<unknown>;
  call(functionName: string, parameters: Record<string, unknown>): Promise<unknown>;
  close(): Promise<unknown>;
}
type RfcClientConstructor = new (params: Record<string, string>) => RfcClientLike;

/** Loads node-rfc and returns its Client, or throws TRANSPORT_RFC_UNAVAILABLE. */
export async function loadRfcClient(
  importModule: (name: string) => Promise<unknown>,
): Promise<RfcClientConstructor> {
  let mod: unknown;
  try {
    mod = await importModule('node-rfc');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const text = e instanceof Error ? e.message : String(e);
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && text.includes('node-rfc')) {
      throw new TransportError('TRANSPORT_RFC_UNAVAILABLE', RFC_UNAVAILABLE_MESSAGE, { cause: e });
    }
    const first = text.split('\n')[0] ?? '';
    throw new TransportError(
      'TRANSPORT_RFC_UNAVAILABLE',
      `node-rfc is installed but could not be loaded, usually because the SAP NW RFC SDK is missing (${first}): see docs/transports.md`,
      { cause: e },
    );
  }
  const candidates = [mod, (mod as { default?: unknown } | undefined)?.default];
  for (const c of candidates) {
    const Client = (c as { Client?: unknown } | undefined)?.Client;
    if (typeof Client === 'function') return Client as RfcClientConstructor;
  }
  throw new TransportError(
    'TRANSPORT_RFC_UNAVAILABLE',
    `node-rfc has no Client export: ${RFC_UNAVAILABLE_MESSAGE}`,
  );
}

/** Maps a node-rfc error (RfcLibError / ABAPError with `codeString`, `key`) to a catalogue code. */
export function classifyRfcError(e: unknown, secrets: readonly string[]): TransportError {
  if (e instanceof TransportError) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
  const codeString = typeof err['codeString'] === 'string' ? err['codeString'] : '';
  const key = typeof err['key'] === 'string' ? err['key'] : '';
  const text = redact(typeof err['message'] === 'string' ? err['message'] : String(e), secrets);
  const label = [codeString, key].filter((s) => s !== '').join('/') || 'RFC error';
  const message = `SAP RFC IDOC_INBOUND_ASYNCHRONOUS failed: ${label}: ${text}`;
  if (/LOGON_FAILURE|NOT_AUTHORIZED/.test(codeString + key)) {
    return new TransportError('TRANSPORT_AUTH_REJECTED', message, { cause: e });
  }
  if (/COMMUNICATION_FAILURE|RFC_TIMEOUT|RFC_CLOSED|RESOURCE_FAILURE|RFC_CANCELED/.test(codeString + key)) {
    return new TransportError('TRANSPORT_RFC_COMMUNICATION', message, { cause: e });
  }
  return new TransportError('TRANSPORT_RFC_FAILED', message, { cause: e });
}

/** Codes of a call that may have reached SAP: the connection or the wait ended, not SAP's answer. */
const LOST_ANSWER = new Set(['TRANSPORT_TIMEOUT', 'TRANSPORT_RFC_COMMUNICATION', 'TRANSPORT_ABORTED']);

/**
 * A failure once the call was under way (the connection was open) whose answer was lost — a
 * timeout, a broken connection, an abort — is in doubt: SAP may have stored the IDoc. An ABAP
 * exception is SAP's own answer (rolled back, not stored); a failure to connect never went out.
 */
export function inDoubtAfterCall(err: TransportError, calling: boolean): TransportError {
  if (!calling || err.inDoubt === true || !LOST_ANSWER.has(err.code)) return err;
  return new TransportError(err.code, `${err.message} (after the call went out: SAP may have the IDoc)`, {
    cause: err,
    inDoubt: true,
  });
}

function connectionParameters(o: RfcOptions, password: string): Record<string, string> {
  const p: Record<string, string> = {};
  const set = (k: string, v: string | undefined): void => {
    if (v !== undefined) p[k] = v;
  };
  set('dest', o.dest);
  set('ashost', o.ashost);
  set('sysnr', o.sysnr);
  set('mshost', o.mshost);
  set('sysid', o.sysid);
  set('group', o.group);
  set('saprouter', o.saprouter);
  set('client', o.client);
  set('lang', o.lang);
  set('user', o.user);
  p['passwd'] = password;
  return p;
}

function raceWith<T>(work: Promise<T>, timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new TransportError('TRANSPORT_TIMEOUT', `SAP RFC call did not return within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onAbort = (): void =>
      reject(new TransportError('TRANSPORT_ABORTED', 'SAP RFC call was aborted', { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}

export const rfcTransport: TransportDefinition<typeof rfcOptionsSchema> = {
  kind: 'rfc',
  description: 'IDOC_INBOUND_ASYNCHRONOUS through node-rfc (optional; needs the SAP NW RFC SDK)',
  // flat IDoc records, which the transport splits into IDOC_INBOUND_ASYNCHRONOUS tables
  wireFormat: 'flat',
  optionsSchema: rfcOptionsSchema,
  create(options, deps: TransportDeps): CreatedTransport {
    const password =
      options.dest !== undefined && options.password === undefined && options.passwordEnv === undefined
        ? ''
        : resolveSecretValue(options.password, options.passwordEnv, deps, 'passwordEnv');
    const secrets = password !== '' ? [password] : [];
    const importModule = deps.importModule ?? ((name: string) => import(name) as Promise<unknown>);
    let clientClass: Promise<RfcClientConstructor> | undefined;
    return {
      kind: 'rfc',
      // node-rfc's Client.call is a synchronous RFC: no TID reaches SAP (tRFC's RfcCreateTransaction /
      // RfcSubmitTransaction are not in its API), so SAP does not drop a repeated call. A call whose
      // answer is lost is in doubt, like XML-HTTP (docs/transports.md, "exactly-once over RFC").
      receiverDropsDuplicates: false,
      async send(delivery, signal): Promise<DeliveryReceipt> {
        if (signal?.aborted) throw new TransportError('TRANSPORT_ABORTED', 'SAP RFC call was aborted');
        const text =
          typeof delivery.body === 'string' ? delivery.body : Buffer.from(delivery.body).toString('utf8');
        const { tables, issues } = buildRfcTables(text);
        if (issues.length > 0) {
          throw new TransportError(
            'TRANSPORT_DELIVERY_INVALID',
            `cannot frame the IDoc for RFC: ${issues[0]?.message ?? ''}`,
            { issues },
          );
        }
        clientClass ??= loadRfcClient(importModule);
        clientClass.catch(() => undefined);
        const Client = await clientClass;
        const tid = rfcTransactionId(delivery.messageId);
        const started = deps.clock.now();
        const client = new Client(connectionParameters(options, password));
        let calling = false;
        try {
          await raceWith(
            (async () => {
              await client.open();
              calling = true;
              await client.call('IDOC_INBOUND_ASYNCHRONOUS', { ...tables });
            })(),
            options.timeout,
            signal,
          );
        } catch (e) {
          const err = inDoubtAfterCall(classifyRfcError(e, secrets), calling);
          deps.logger?.warn(
            { messageId: delivery.messageId, tid, code: err.code, verdict: err.verdict },
            'RFC failed',
          );
          throw err;
        } finally {
          void client.close().catch(() => undefined);
        }
        const durationMs = Math.max(0, deps.clock.now() - started);
        deps.logger?.debug({ messageId: delivery.messageId, tid, durationMs }, 'IDoc passed to SAP by RFC');
        return { remoteReference: tid, durationMs };
      },
    };
  },
};

/**
 * The contract every transport kind must pass. A kind provides a harness that starts a real
 * receiving side (local HTTP server standing in for SAP/WMS, a temp directory, ...) and can
 * induce failures; the suite checks the receipt, the bytes and headers that arrived, the
 * transient/permanent verdicts, abort handling and that secrets never reach error messages.
 * Failure modes a kind cannot have (e.g. "connection refused" for files) are skipped. It also
 * checks the kind's wire format (TransportDefinition.wireFormat): the transport carries an IDoc
 * the pipeline encoded in it (src/pipeline/wire.ts `encodeIdoc`) to the receiver unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { loadDefinitions } from '../../src/definitions/load.js';
import { readIdocs } from '../../src/idoc/codec.js';
import { WIRE_FORMATS } from '../../src/pipeline/transport-port.js';
import { encodeIdoc } from '../../src/pipeline/wire.js';
import { createTransport, findTransportKind } from '../../src/transports/registry.js';
import { TransportError } from '../../src/transports/transport-error.js';
import type { OutboundDelivery, Transport, TransportDeps } from '../../src/transports/types.js';
import { idocXml } from './payloads.js';

export type InducedFailure =
  | 'server-error' // receiver fails in a way that may pass (5xx, communication failure)
  | 'client-error' // receiver rejects the message for good (4xx, ABAP error, file conflict)
  | 'auth' // credentials rejected
  | 'throttled' // 429 with Retry-After: 7
  | 'hang' // receiver never answers (timeout)
  | 'refused'; // nothing listens

export interface ReceivedRequest {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface HarnessEnv {
  /** Valid options (secrets resolved) for createTransport. */
  readonly options: Record<string, unknown>;
  readonly secrets: readonly string[];
  readonly deps?: Partial<TransportDeps>;
  /** A valid delivery for this kind; `n` makes it unique. */
  delivery(n: number): OutboundDelivery;
  /** What the receiving side must get for `delivery`. */
  expectedBytes(delivery: OutboundDelivery): Buffer;
  /** Kind-specific checks of what arrived (auth header, sap-client, signature...). */
  checkReceived(request: ReceivedRequest, delivery: OutboundDelivery): void;
  /** Everything that arrived so far. */
  received(): readonly ReceivedRequest[];
  /** Sets up a failure for the next send; returns option overrides, or undefined if impossible. */
  induce(failure: InducedFailure): Promise<Record<string, unknown> | undefined>;
  /** Back to normal behaviour. */
  reset(): void;
  teardown(): Promise<void>;
}

export interface ContractHarness {
  readonly kind: string;
  setup(): Promise<HarnessEnv>;
}

const EXPECTED: Record<InducedFailure, { verdict: 'transient' | 'permanent'; codes: string[] }> = {
  'server-error': {
    verdict: 'transient',
    codes: [
      'TRANSPORT_HTTP_5XX',
      'TRANSPORT_SOAP_FAULT_TRANSIENT',
      'TRANSPORT_RFC_COMMUNICATION',
      'TRANSPORT_FILE_IO',
    ],
  },
  'client-error': {
    verdict: 'permanent',
    codes: ['TRANSPORT_HTTP_4XX', 'TRANSPORT_SOAP_FAULT', 'TRANSPORT_RFC_FAILED', 'TRANSPORT_FILE_CONFLICT'],
  },
  auth: { verdict: 'permanent', codes: ['TRANSPORT_AUTH_REJECTED'] },
  throttled: { verdict: 'transient', codes: ['TRANSPORT_HTTP_THROTTLED'] },
  hang: { verdict: 'transient', codes: ['TRANSPORT_TIMEOUT'] },
  refused: { verdict: 'transient', codes: ['TRANSPORT_CONNECTION_REFUSED', 'TRANSPORT_RFC_COMMUNICATION'] },
};

/** A clock that advances 7 ms per reading: durations are deterministic and positive. */
export function steppingClock(start = Date.UTC(2025, 0, 15, 12, 0, 0)): { now(): number } {
  let t = start;
  return { now: () => (t += 7) };
}

async function sendFails(
  transport: Transport,
  delivery: OutboundDelivery,
  signal?: AbortSignal,
): Promise<TransportError> {
  try {
    await transport.send(delivery, signal);
  } catch (e) {
    expect(e).toBeInstanceOf(TransportError);
    return e as TransportError;
  }
  throw new Error('send was expected to fail but succeeded');
}

function expectNoSecrets(err: TransportError, secrets: readonly string[]): void {
  const visible = [
    err.message,
    JSON.stringify(err.toJSON()),
    JSON.stringify(err.issues),
    err.stack ?? '',
  ].join('\n');
  for (const s of secrets) expect(visible).not.toContain(s);
}

export function runTransportContract(harness: ContractHarness): void {
  describe(`transport contract: ${harness.kind}`, () => {
    let env: HarnessEnv;
    let n = 0;
    const deps = (): TransportDeps => ({ clock: steppingClock(), ...env.deps });
    const make = async (overrides: Record<string, unknown> = {}): Promise<Transport> =>
      createTransport(harness.kind, { kind: harness.kind, ...env.options, ...overrides }, deps());

    beforeAll(async () => {
      env = await harness.setup();
    });
    afterAll(async () => {
      await env?.teardown();
    });

    it('delivers: returns a receipt, and the receiver got exactly the bytes and the headers', async () => {
      env.reset();
      const transport = await make();
      try {
        const delivery = env.delivery(++n);
        const before = env.received().length;
        const receipt = await transport.send(delivery);
        expect(receipt.durationMs).toBeGreaterThan(0);
        if (receipt.status !== undefined) expect(receipt.status).toBeGreaterThanOrEqual(200);
        if (receipt.status !== undefined) expect(receipt.status).toBeLessThan(300);
        const got = env.received().slice(before);
        expect(got).toHaveLength(1);
        const request = got[0]!;
        expect(request.body.equals(env.expectedBytes(delivery))).toBe(true);
        env.checkReceived(request, delivery);
      } finally {
        await transport.close?.();
      }
    });

    it('declares its wire format and carries an IDoc the pipeline encoded in it', async () => {
      env.reset();
      const def = findTransportKind(harness.kind);
      expect(def).toBeDefined();
      expect(WIRE_FORMATS).toContain(def!.wireFormat);
      const transport = await make();
      try {
        expect(transport.wireFormat).toBe(def!.wireFormat);
        const definitions = loadDefinitions();
        const [idoc] = readIdocs(idocXml(++n), definitions).idocs;
        const messageId = randomUUID();
        const enc = encodeIdoc(idoc!, transport.wireFormat, definitions, messageId);
        const delivery: OutboundDelivery = {
          ...env.delivery(n),
          messageId,
          body: enc.body,
          contentType: enc.contentType,
          control: idoc!.control,
          ...(enc.arckey !== undefined ? { arckey: enc.arckey } : {}),
        };
        const before = env.received().length;
        await transport.send(delivery);
        const got = env.received().slice(before);
        expect(got).toHaveLength(1);
        expect(got[0]!.body.equals(env.expectedBytes(delivery))).toBe(true);
        env.checkReceived(got[0]!, delivery);
      } finally {
        await transport.close?.();
      }
    });

    for (const failure of Object.keys(EXPECTED) as InducedFailure[]) {
      it(`classifies "${failure}" as ${EXPECTED[failure].verdict}, without secrets in the error`, async (ctx) => {
        env.reset();
        const overrides = await env.induce(failure);
        if (overrides === undefined) {
          ctx.skip();
          return;
        }
        const transport = await make(overrides);
        try {
          const err = await sendFails(transport, env.delivery(++n));
          expect(err.verdict).toBe(EXPECTED[failure].verdict);
          expect(EXPECTED[failure].codes).toContain(err.code);
          if (failure === 'throttled') expect(err.retryAfterMs).toBe(7000);
          expectNoSecrets(err, env.secrets);
        } finally {
          env.reset();
          await transport.close?.();
        }
      });
    }

    it('honours an already aborted signal: nothing is delivered, the verdict is transient', async () => {
      env.reset();
      const transport = await make();
      try {
        const before = env.received().length;
        const controller = new AbortController();
        controller.abort(new Error('shutdown'));
        const err = await sendFails(transport, env.delivery(++n), controller.signal);
        expect(err.code).toBe('TRANSPORT_ABORTED');
        expect(err.verdict).toBe('transient');
        expect(env.received().length).toBe(before);
      } finally {
        await transport.close?.();
      }
    });

    it('honours an abort while waiting for the receiver', async (ctx) => {
      env.reset();
      const overrides = await env.induce('hang');
      if (overrides === undefined) {
        ctx.skip();
        return;
      }
      // A long timeout, so only the abort can end the wait.
      const transport = await make({ ...overrides, timeout: 60_000 });
      try {
        const controller = new AbortController();
        const before = env.received().length;
        const pending = sendFails(transport, env.delivery(++n), controller.signal);
        await waitFor(() => env.received().length > before);
        controller.abort(new Error('shutdown'));
        const err = await pending;
        expect(err.code).toBe('TRANSPORT_ABORTED');
        expect(err.verdict).toBe('transient');
      } finally {
        env.reset();
        await transport.close?.();
      }
    });

    it('reports every invalid option with its path, without echoing values', async () => {
      const err = await createTransport(
        harness.kind,
        { kind: harness.kind, unexpectedOption: 'x' },
        deps(),
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TransportError);
      const te = err as TransportError;
      expect(te.code).toBe('TRANSPORT_OPTIONS_INVALID');
      expect(te.issues.length).toBeGreaterThanOrEqual(1);
      for (const issue of te.issues) expect(typeof issue.path).toBe('string');
      expect(te.issues.map((i) => i.path)).toContain('');
    });
  });
}

/** Polls a condition on the event loop (no fixed sleeps); fails after ~2000 turns. */
export async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error('condition not reached');
}

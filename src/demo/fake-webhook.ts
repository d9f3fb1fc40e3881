/**
 * A fake WMS / PeopleSoft receiver for the demo (src/demo/demo.ts) and the tests: a real HTTP
 * server on 127.0.0.1 that accepts JSON POSTs, checks a bearer token and/or the `X-Idocgate-Signature` HMAC like a real receiver would,
 * drops duplicates by `Idempotency-Key`, records what it got, and can be told to fail the next N
 * requests or to answer late.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../transports/webhook-signature.js';

export interface FakeWebhookBehaviour {
  failFirst?: number;
  status?: 400 | 408 | 409 | 422 | 429 | 500 | 502 | 503;
  retryAfter?: string;
  delayMs?: number;
  /** Answer duplicates (same Idempotency-Key) with 409 instead of 200. */
  conflictOnDuplicate?: boolean;
}

export interface FakeWebhookOptions extends FakeWebhookBehaviour {
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Expected `Authorization: Bearer <token>`; absent = no token check. */
  token?: string;
  /** HMAC secret; absent = no signature check. */
  secret?: string;
  /** The receiver's "now" for the signature's timestamp check (default: real time). */
  nowMs?: () => number;
  path?: string;
}

export interface FakeWebhookRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly json: unknown;
  readonly signatureValid?: boolean;
  readonly duplicate: boolean;
  status: number;
}

export interface FakeWebhook {
  readonly url: string;
  /** Requests that passed authentication, in order. */
  readonly received: FakeWebhookRequest[];
  readonly rejected: number;
  /** Distinct Idempotency-Keys accepted. */
  readonly deliveredKeys: ReadonlySet<string>;
  setBehaviour(behaviour: FakeWebhookBehaviour): void;
  close(): Promise<void>;
}

export async function startFakeWebhook(options: FakeWebhookOptions = {}): Promise<FakeWebhook> {
  let behaviour: FakeWebhookBehaviour = { ...options };
  let failuresLeft = behaviour.failFirst ?? 0;
  let rejected = 0;
  const received: FakeWebhookRequest[] = [];
  const keys = new Set<string>();
  const path = options.path ?? '/wms/idoc-events';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const answer = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
        const send = (): void => {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(json));
        };
        if (behaviour.delayMs !== undefined && behaviour.delayMs > 0)
          setTimeout(send, behaviour.delayMs).unref();
        else send();
      };
      if (req.method !== 'POST' && req.method !== 'PUT') return answer(405, { error: 'method not allowed' });
      if (new URL(req.url ?? '/', 'http://x').pathname !== path) return answer(404, { error: 'not found' });
      if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
        rejected++;
        return answer(401, { error: 'invalid token' });
      }
      let signatureValid: boolean | undefined;
      if (options.secret !== undefined) {
        const header = req.headers['x-idocgate-signature'];
        const check = verifyWebhookSignature(
          Array.isArray(header) ? header[0] : header,
          body,
          options.secret,
          {
            nowMs: options.nowMs?.() ?? Date.now(),
          },
        );
        signatureValid = check.ok;
        if (!check.ok) {
          rejected++;
          return answer(401, { error: `signature ${check.reason}` });
        }
      }
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        json = undefined;
      }
      const keyHeader = req.headers['idempotency-key'];
      const key = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
      const duplicate = key !== undefined && keys.has(key);
      const record: FakeWebhookRequest = {
        path,
        headers: req.headers,
        body,
        json,
        duplicate,
        status: 0,
        ...(signatureValid !== undefined ? { signatureValid } : {}),
      };
      received.push(record);
      const reply = (status: number, out: unknown, headers: Record<string, string> = {}): void => {
        record.status = status;
        answer(status, out, headers);
      };
      if (failuresLeft > 0) {
        failuresLeft--;
        const status = behaviour.status ?? 503;
        return reply(
          status,
          { error: `fake receiver told to fail with ${status}` },
          behaviour.retryAfter !== undefined ? { 'retry-after': behaviour.retryAfter } : {},
        );
      }
      if (json === undefined) return reply(400, { error: 'body is not JSON' });
      if (duplicate && behaviour.conflictOnDuplicate) return reply(409, { error: 'duplicate', key });
      if (key !== undefined) keys.add(key);
      return reply(
        200,
        { accepted: true, id: `wms-${received.length}` },
        { 'x-request-id': `wms-${received.length}` },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    get rejected() {
      return rejected;
    },
    deliveredKeys: keys,
    setBehaviour(b) {
      behaviour = { ...b };
      failuresLeft = b.failFirst ?? 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

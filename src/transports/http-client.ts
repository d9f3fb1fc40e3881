/**
 * One HTTP exchange for the HTTP-based transports, on node:http / node:https (so TLS options
 * such as a private CA work, and nock can intercept it in unit tests). Network failures are
 * classified here; statuses are classified by the caller (SOAP looks at faults first).
 */
import http from 'node:http';
import https from 'node:https';
import { classifyNetworkError, type HeaderValue } from './classify-http.js';
import { readCaFile, type TlsOptions } from './options.js';

export interface HttpClient {
  exchange(request: HttpExchangeRequest): Promise<HttpExchangeResponse>;
  close(): void;
}

export interface HttpExchangeRequest {
  readonly url: URL;
  readonly method: 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Name of the receiver for messages (no credentials). */
  readonly receiver: string;
}

export interface HttpExchangeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** Response body, at most `maxResponseBytes` (the rest is read and dropped). */
  readonly body: Buffer;
}

/** A keep-alive client for one receiver; `close()` drops its pooled sockets. */
export function createHttpClient(options: {
  readonly url: URL;
  readonly tls?: TlsOptions | undefined;
  readonly maxResponseBytes?: number;
}): HttpClient {
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;
  const isHttps = options.url.protocol === 'https:';
  const ca = readCaFile(options.tls);
  const agent = isHttps
    ? new https.Agent({
        keepAlive: true,
        ...(ca !== undefined ? { ca } : {}),
        rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
      })
    : new http.Agent({ keepAlive: true });

  async function exchange(req: HttpExchangeRequest): Promise<HttpExchangeResponse> {
    const state = { timedOut: false, aborted: false, timeoutMs: req.timeoutMs, bodySent: false };
    if (req.signal?.aborted) {
      state.aborted = true;
      throw classifyNetworkError(req.signal.reason, req.receiver, state);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      state.timedOut = true;
      controller.abort(new Error('timeout'));
    }, req.timeoutMs);
    const onAbort = (): void => {
      state.aborted = true;
      controller.abort(req.signal?.reason);
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await new Promise<HttpExchangeResponse>((resolve, reject) => {
        const lib = req.url.protocol === 'https:' ? https : http;
        const clientRequest = lib.request(
          req.url,
          {
            method: req.method,
            agent,
            signal: controller.signal,
            headers: { ...req.headers, 'content-length': String(req.body.byteLength) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            let kept = 0;
            res.on('data', (chunk: Buffer) => {
              if (kept >= maxBytes) return;
              const part = chunk.subarray(0, maxBytes - kept);
              chunks.push(part);
              kept += part.byteLength;
            });
            res.on('error', reject);
            res.on('aborted', () => reject(new Error('response aborted')));
            res.on('end', () => {
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers as Record<string, HeaderValue>,
                body: Buffer.concat(chunks),
              });
            });
          },
        );
        clientRequest.on('error', reject);
        // 'finish': the whole request (headers and body) was handed to the socket.
        clientRequest.on('finish', () => {
          state.bodySent = true;
        });
        clientRequest.end(req.body);
      });
    } catch (e) {
      throw classifyNetworkError(e, req.receiver, state);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    exchange,
    close: () => agent.destroy(),
  };
}

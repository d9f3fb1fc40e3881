/**
 * A small S3 client for the export's S3-compatible target: AWS Signature Version 4 written out
 * (no SDK), over fetch (undici), path-style URLs (`<endpoint>/<bucket>/<key>`), the four calls the
 * export needs: PutObject, GetObject, ListObjectsV2 (all pages) and DeleteObject.
 *
 * Signing follows "Authenticating Requests: Using the Authorization Header (AWS Signature
 * Version 4)" of the Amazon S3 API reference
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html):
 * canonical request (method, URI-encoded path, sorted query, sorted lower-case headers, signed
 * header names, payload SHA-256) → string to sign (AWS4-HMAC-SHA256, timestamp, scope
 * `<day>/<region>/s3/aws4_request`, hash of the canonical request) → signing key
 * HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), "s3"), "aws4_request") → hex signature.
 * Checked against the worked examples of that page (test/export/s3.test.ts).
 */
import { createHash, createHmac } from 'node:crypto';
import { IdocgateError } from '../errors.js';

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary credentials (STS): sent as x-amz-security-token and signed. */
  readonly sessionToken?: string;
}

export interface S3Location {
  /** `http(s)://host[:port]`, e.g. https://s3.eu-central-1.amazonaws.com or a MinIO URL. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 percent-encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ (and `/` in paths). */
export function uriEncode(s: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch) || (keepSlash && ch === '/')) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export interface SignInput {
  readonly method: string;
  /** The request path, already URI-encoded (as it goes on the wire). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Headers to sign (host included); names in any case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body (or UNSIGNED-PAYLOAD); also sent as x-amz-content-sha256 by the caller. */
  readonly payloadHash: string;
  readonly region: string;
  readonly service?: string;
  readonly credentials: S3Credentials;
  readonly now: Date;
}

export interface Signed {
  readonly authorization: string;
  readonly amzDate: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
}

export const amzDate = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

export const canonicalQuery = (query: Readonly<Record<string, string>>): string =>
  Object.entries(query)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');

/** The Authorization header of a request (headers must include host and x-amz-date). */
export function signV4(r: SignInput): Signed {
  const service = r.service ?? 's3';
  const stamp = amzDate(r.now);
  const day = stamp.slice(0, 8);
  const headers = Object.entries(r.headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([k]) => k).join(';');
  const canonicalRequest = [
    r.method,
    r.path,
    canonicalQuery(r.query ?? {}),
    headers.map(([k, v]) => `${k}:${v}\n`).join(''),
    signedHeaders,
    r.payloadHash,
  ].join('\n');
  const scope = `${day}/${r.region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${r.credentials.secretAccessKey}`, day), r.region), service),
    'aws4_request',
  );
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${r.credentials.accessKeyId}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`,
    amzDate: stamp,
    canonicalRequest,
    stringToSign,
    signature,
  };
}

export interface S3Client {
  put(key: string, body: Uint8Array, contentType?: string): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  /** Every key under the prefix (all pages of ListObjectsV2). */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** `s3://bucket/` + key, for the manifest and the log. */
  uri(key: string): string;
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
};
const xmlText = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos);/g, (m) => XML_ENTITIES[m] ?? m);

function tags(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => xmlText(m[1] ?? ''));
}

export function createS3Client(
  location: S3Location,
  credentials: S3Credentials,
  options: { readonly now?: () => Date; readonly timeoutMs?: number } = {},
): S3Client {
  const base = new URL(location.endpoint);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new IdocgateError('CONFIG_INVALID', `S3 endpoint ${location.endpoint} must be an http(s) URL`);
  const host = base.host;
  const root = base.pathname.replace(/\/+$/, '');
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 60_000;

  async function call(
    method: string,
    key: string | null,
    query: Readonly<Record<string, string>>,
    body?: Uint8Array,
    extra: Readonly<Record<string, string>> = {},
  ): Promise<Response> {
    const path = `${root}/${uriEncode(location.bucket)}${key === null ? '' : `/${uriEncode(key, true)}`}`;
    const payloadHash = sha256(body ?? '');
    const at = now();
    const headers: Record<string, string> = {
      host,
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': amzDate(at),
      ...extra,
      ...(credentials.sessionToken !== undefined ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    };
    const signed = signV4({
      method,
      path,
      query,
      headers,
      payloadHash,
      region: location.region,
      credentials,
      now: at,
    });
    const qs = canonicalQuery(query);
    const url = `${base.protocol}//${host}${path}${qs === '' ? '' : `?${qs}`}`;
    const { host: _host, ...sent } = headers;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...sent, authorization: signed.authorization },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new IdocgateError(
        'EXPORT_TARGET_FAILED',
        `S3 ${method} ${url}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) {
      const text = await res.text().catch(() => '');
      const code = tags(text, 'Code')[0] ?? '';
      const message = tags(text, 'Message')[0] ?? text.slice(0, 200);
      throw new IdocgateError(
        'EXPORT_TARGET_FAILED',
        `S3 ${method} ${url}: HTTP ${res.status}${code !== '' ? ` ${code}` : ''}${message !== '' ? `: ${message}` : ''}`,
      );
    }
    return res;
  }

  return {
    async put(key, body, contentType = 'application/octet-stream') {
      const res = await call('PUT', key, {}, body, {
        'content-length': String(body.byteLength),
        'content-type': contentType,
      });
      await res.arrayBuffer();
    },
    async get(key) {
      const res = await call('GET', key, {});
      return new Uint8Array(await res.arrayBuffer());
    },
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      for (;;) {
        const res = await call('GET', null, {
          'list-type': '2',
          prefix,
          ...(token !== undefined ? { 'continuation-token': token } : {}),
        });
        const xml = await res.text();
        keys.push(...tags(xml, 'Key'));
        const truncated = tags(xml, 'IsTruncated')[0] === 'true';
        token = tags(xml, 'NextContinuationToken')[0];
        if (!truncated || token === undefined) break;
      }
      return keys;
    },
    async delete(key) {
      const res = await call('DELETE', key, {});
      await res.arrayBuffer();
    },
    uri: (key) => `s3://${location.bucket}/${key}`,
  };
}

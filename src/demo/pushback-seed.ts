/**
 * What the demo shows before anyone types a command: a pushed-back delivery. Through the gateway's
 * own edges, as SAP and a store would: SAP sends delivery 80009002 (DELVRY07 DESADV, DC01 -> store
 * S0124, actual goods issue four days ago, two serialized units and ten of another article), the
 * store's handheld receives one of the two serials, and the pushback sweeper (the settings of
 * config/pushback.example.yaml, run once now) receives the outstanding rest into HOLD and sends it
 * back; the fake SAP posts both postings (53). Its delivery, serials and DOCNUM are its own: the
 * quick start's curl lines (delivery 80004711, SN-1001) and the README's pushback walk-through
 * (80009001, SN-9001-..) never meet it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

export const DEMO_PUSHBACK = {
  delivery: '80009002',
  received: 'SN-9002-01',
  missing: 'SN-9002-02',
  docnum: '0000000000009002',
} as const;

export interface SeedCredentials {
  readonly sap: { readonly username: string; readonly password: string };
  readonly operator: { readonly username: string; readonly password: string };
  readonly handheldKey: string;
}

const SHPORD_FILE = join(PROJECT_ROOT, 'examples', 'delvry07-shpord-to-store.xml');

function yyyymmdd(d: Date): string {
  return d.toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * The README's SHPORD example turned into the DESADV SAP sends when the DC has shipped: its own
 * DOCNUM, delivery, STO and serials, dated `daysAgo` with the actual goods issue (E1EDT13 006
 * ISDD/ISDZ) that starts the grace period.
 */
export function pushbackDesadv(now: Date, daysAgo = 4): string {
  const day = yyyymmdd(new Date(now.getTime() - daysAgo * 86_400_000));
  return readFileSync(SHPORD_FILE, 'utf8')
    .replace('<MESTYP>SHPORD</MESTYP>', '<MESTYP>DESADV</MESTYP>')
    .replace('<RCVPRN>DCWMS</RCVPRN>', '<RCVPRN>WMS01</RCVPRN>')
    .replace('<DOCNUM>0000000000009001</DOCNUM>', `<DOCNUM>${DEMO_PUSHBACK.docnum}</DOCNUM>`)
    .replaceAll('0080009001', `00${DEMO_PUSHBACK.delivery}`)
    .replaceAll('4500009001', '4500009002')
    .replaceAll('SN-9001-', 'SN-9002-')
    .replaceAll(/<(CREDAT|NTANF|NTEND)>\d{8}</g, `<$1>${day}<`)
    .replace('<ISDD>00000000</ISDD>', `<ISDD>${day}</ISDD>`)
    .replace('<ISDZ>000000</ISDZ>', '<ISDZ>080000</ISDZ>');
}

function basic(c: { readonly username: string; readonly password: string }): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

async function until(what: string, deadline: number, check: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`the demo's pushback: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function expectOk(res: Response, what: string): Promise<void> {
  if (!res.ok) throw new Error(`the demo's pushback: ${what} answered ${res.status}: ${await res.text()}`);
}

/**
 * Seeds the pushed-back delivery through `url` (the running demo gateway) and waits until SAP has
 * posted both pushback postings. Throws with what did not happen in `timeoutMs`.
 */
export async function seedPushback(
  url: string,
  credentials: SeedCredentials,
  options: { readonly now?: Date; readonly timeoutMs?: number } = {},
): Promise<void> {
  const now = options.now ?? new Date();
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const operator = { authorization: basic(credentials.operator) };
  const api = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, { headers: operator });
    return { status: res.status, body: (await res.json()) as T };
  };
  await expectOk(
    await fetch(`${url}/sap/idoc-xml`, {
      method: 'POST',
      headers: { authorization: basic(credentials.sap), 'content-type': 'application/xml' },
      body: pushbackDesadv(now),
    }),
    'SAP sending delivery 80009002',
  );
  await expectOk(
    await fetch(`${url}/in/handheld-goods-movement`, {
      method: 'POST',
      headers: {
        'x-api-key': credentials.handheldKey,
        'content-type': 'application/json',
        'idempotency-key': 'HH-DEMO-9002',
      },
      body: JSON.stringify({
        scanId: 'HH-DEMO-9002',
        site: 'S0124',
        movement: { kind: 'receipt-delivery', delivery: DEMO_PUSHBACK.delivery },
        items: [
          {
            article: '4711',
            quantity: 1,
            unit: 'PCE',
            deliveryItem: '10',
            serialNumbers: [DEMO_PUSHBACK.received],
          },
        ],
        device: 'TC52-0042',
        user: 'jdoe',
        scannedAt: new Date(now.getTime() - 3 * 86_400_000).toISOString(),
      }),
    }),
    "the store's handheld receipt",
  );
  const delivery = `/api/deliveries/${DEMO_PUSHBACK.delivery}`;
  await until('the delivery ledger to record the partial receipt', deadline, async () => {
    const d = await api<{ delivery?: { state?: string } }>(delivery);
    return d.status === 200 && d.body.delivery?.state === 'partial';
  });
  await expectOk(
    await fetch(`${url}/api/sweeper/run`, { method: 'POST', headers: operator }),
    'the sweeper run',
  );
  await until('SAP to post both pushback postings (53)', deadline, async () => {
    const d = await api<{ pushback: { postings: { messageId: string | null }[] } | null }>(delivery);
    const postings = d.body.pushback?.postings ?? [];
    if (postings.length < 2 || postings.some((p) => p.messageId === null)) return false;
    const statuses = await Promise.all(
      postings.map(
        async (p) => (await api<{ message: { status: string } }>(`/api/messages/${p.messageId}`)).body,
      ),
    );
    return statuses.every((m) => m.message.status === 'posted');
  });
}

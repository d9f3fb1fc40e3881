/**
 * A read-only view of the partner profiles (WE20) and ports (WE21) for the console, without
 * secrets: credentials show only whether they are set, transports only kind and address.
 */
import type { Config } from '../config/schema.js';

interface TransportView {
  readonly kind: string;
  readonly target: string | null;
}

/** Kind and the address it sends to (url, directory or destination), never credentials. */
function transportView(t: { readonly kind: string } & Readonly<Record<string, unknown>>): TransportView {
  for (const key of ['url', 'directory', 'dir', 'path', 'destination', 'dest']) {
    const v = t[key];
    if (typeof v === 'string') return { kind: t.kind, target: stripUserInfo(v) };
  }
  return { kind: t.kind, target: null };
}

function stripUserInfo(v: string): string {
  try {
    const u = new URL(v);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return v;
  }
}

export function configView(config: Readonly<Config>) {
  return {
    partners: Object.entries(config.partners).map(([name, p]) => ({
      name,
      number: p.number,
      type: p.type,
      description: p.description ?? null,
      apiKeys: p.credentials.apiKeySha256.length,
      basicAuth: p.credentials.basic !== undefined,
      concurrency: p.concurrency,
      retry: p.retry,
      rateLimit: p.rateLimit ?? null,
      sends: p.sends.map((s) => ({
        messageType: s.messageType,
        contract: s.contract,
        mapping: s.mapping ?? null,
        port: s.port,
        orderingKey: s.orderingKey ?? null,
      })),
      receives: p.receives.map((r) => ({
        messageType: r.messageType,
        idocType: r.idocType ?? null,
        mapping: r.mapping ?? null,
        transport: transportView(r.transport),
        orderingKey: r.orderingKey ?? null,
        statusToSap: r.statusToSap,
      })),
    })),
    ports: Object.entries(config.ports).map(([name, p]) => ({
      name,
      description: p.description ?? null,
      transport: transportView(p.transport),
      inboundAuth: p.inboundAuth !== undefined,
      control: p.control,
    })),
  };
}

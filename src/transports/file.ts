/**
 * `file`: the outbound file port. Writes the encoded message to `dir/.tmp-<name>.<random>`,
 * fsyncs it, then links it to its final name (atomic and never overwriting) and fsyncs the
 * directory. A reader therefore sees either no file or the complete file, never a part.
 * The same name twice: equal content is an idempotent success, different content a permanent
 * TRANSPORT_FILE_CONFLICT. The inbound side is ./file-inbound.ts.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CONTROL_FIELDS } from '../idoc/model.js';
import { errnoCode } from './classify-http.js';
import { fileError } from './file-errors.js';
import { bodyBytes } from './options.js';
import { TransportError } from './transport-error.js';
import type { CreatedTransport, DeliveryReceipt, OutboundDelivery, TransportDefinition } from './types.js';

/** Prefix of files being written; readers must ignore them (readDirectory skips dot files). */
export const TEMP_PREFIX = '.tmp-';

const PLACEHOLDERS = new Set<string>([...CONTROL_FIELDS, 'MESSAGE_ID', 'PARTNER']);

export const fileOptionsSchema = z
  .object({
    dir: z.string().min(1),
    /** File name with placeholders: any EDI_DC40 field (`{DOCNUM}`), `{MESSAGE_ID}`, `{PARTNER}`. */
    filename: z
      .string()
      .min(1)
      .default('{DOCNUM}_{MESTYP}.xml')
      .superRefine((p, ctx) => {
        for (const m of p.matchAll(/\{([^}]*)\}/g)) {
          if (!PLACEHOLDERS.has(m[1] ?? '')) {
            ctx.addIssue({ code: 'custom', message: `unknown placeholder {${m[1]}}` });
          }
        }
        if (/[/\\]/.test(p.replace(/\{[^}]*\}/g, ''))) {
          ctx.addIssue({ code: 'custom', message: 'the file name must not contain a directory separator' });
        }
        if (p.startsWith('.'))
          ctx.addIssue({ code: 'custom', message: 'the file name must not start with "."' });
      }),
    /** fsync file and directory before reporting success (turn off only for tests/benchmarks). */
    fsync: z.boolean().default(true),
    /** Create `dir` when missing. */
    createDir: z.boolean().default(true),
  })
  .strict();

export type FileOptions = z.output<typeof fileOptionsSchema>;

/** Fills the pattern from the delivery; values are made safe for a file name. */
export function renderFileName(pattern: string, delivery: OutboundDelivery): string {
  const missing: string[] = [];
  const name = pattern.replace(/\{([^}]*)\}/g, (_, key: string) => {
    const raw =
      key === 'MESSAGE_ID'
        ? delivery.messageId
        : key === 'PARTNER'
          ? delivery.partner
          : key === 'DOCNUM'
            ? (delivery.docnum ?? delivery.control?.DOCNUM)
            : key === 'ARCKEY'
              ? (delivery.arckey ?? delivery.control?.ARCKEY)
              : delivery.control?.[key as keyof NonNullable<OutboundDelivery['control']>];
    const value = raw?.trim() ?? '';
    if (value === '') missing.push(key);
    return value.replace(/[^A-Za-z0-9._-]/g, '_');
  });
  if (missing.length > 0) {
    const message = `file name pattern "${pattern}" needs ${missing.map((m) => `{${m}}`).join(', ')}, which the delivery lacks`;
    throw new TransportError('TRANSPORT_DELIVERY_INVALID', message, {
      issues: missing.map((m) => ({ code: 'FILENAME_VALUE_MISSING', message, path: m })),
    });
  }
  if (name.startsWith('.') || name === '') {
    throw new TransportError('TRANSPORT_DELIVERY_INVALID', `file name "${name}" would be hidden or empty`);
  }
  return name;
}

function abortedError(signal: AbortSignal | undefined, target: string): TransportError | undefined {
  return signal?.aborted
    ? new TransportError('TRANSPORT_ABORTED', `writing ${target} was aborted`, { cause: signal.reason })
    : undefined;
}

async function sameContent(file: string, bytes: Buffer): Promise<boolean> {
  const existing = await fs.readFile(file);
  return existing.equals(bytes);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `bytes` to `dir/name` atomically and without overwriting. */
export async function writeFileAtomically(
  dir: string,
  name: string,
  bytes: Buffer,
  options: { fsync: boolean; signal?: AbortSignal | undefined },
): Promise<{ path: string; duplicate: boolean }> {
  const finalPath = path.join(dir, name);
  const tempPath = path.join(dir, `${TEMP_PREFIX}${name}.${randomBytes(6).toString('hex')}`);
  const early = abortedError(options.signal, finalPath);
  if (early) throw early;
  let tempExists = false;
  try {
    const handle = await fs.open(tempPath, 'wx', 0o644);
    tempExists = true;
    try {
      await handle.writeFile(bytes);
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    const aborted = abortedError(options.signal, finalPath);
    if (aborted) throw aborted;
    let duplicate = false;
    try {
      // link() fails with EEXIST instead of replacing: the no-overwrite guarantee rename lacks.
      await fs.link(tempPath, finalPath);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EEXIST') {
        if (!(await sameContent(finalPath, bytes))) {
          throw new TransportError(
            'TRANSPORT_FILE_CONFLICT',
            `${finalPath} already exists with different content; not overwritten`,
          );
        }
        duplicate = true;
      } else if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV') {
        // File systems without hard links: check, then rename (a narrow race remains).
        const exists = await fs.stat(finalPath).then(
          () => true,
          () => false,
        );
        if (exists) {
          if (!(await sameContent(finalPath, bytes))) {
            throw new TransportError(
              'TRANSPORT_FILE_CONFLICT',
              `${finalPath} already exists with different content`,
            );
          }
          duplicate = true;
        } else {
          await fs.rename(tempPath, finalPath);
          tempExists = false;
        }
      } else {
        throw e;
      }
    }
    if (options.fsync && !duplicate) await fsyncDir(dir);
    return { path: finalPath, duplicate };
  } catch (e) {
    throw fileError(e, 'writing', finalPath);
  } finally {
    if (tempExists) await fs.rm(tempPath, { force: true }).catch(() => undefined);
  }
}

export const fileTransport: TransportDefinition<typeof fileOptionsSchema> = {
  kind: 'file',
  description: 'File port: atomic write (temp file, fsync, link) into a directory, never overwriting',
  // IDoc-XML files (an XML file port in WE21)
  wireFormat: 'xml',
  optionsSchema: fileOptionsSchema,
  create(options, deps): CreatedTransport {
    const dir = path.resolve(options.dir);
    let dirReady: Promise<void> | undefined;
    const ensureDir = (): Promise<void> => {
      dirReady ??= options.createDir
        ? fs.mkdir(dir, { recursive: true }).then(
            () => undefined,
            (e: unknown) => {
              dirReady = undefined;
              throw fileError(e, 'creating directory', dir);
            },
          )
        : Promise.resolve();
      return dirReady;
    };
    return {
      kind: 'file',
      async send(delivery, signal): Promise<DeliveryReceipt> {
        const started = deps.clock.now();
        const name = renderFileName(options.filename, delivery);
        await ensureDir();
        const written = await writeFileAtomically(dir, name, bodyBytes(delivery.body), {
          fsync: options.fsync,
          signal,
        });
        const durationMs = Math.max(0, deps.clock.now() - started);
        deps.logger?.debug({ messageId: delivery.messageId, file: written.path, durationMs }, 'file written');
        return {
          remoteReference: written.path,
          durationMs,
          ...(written.duplicate ? { duplicate: true } : {}),
        };
      },
    };
  },
};

/**
 * The inbound side of the file port: `readDirectory` polls a directory and yields files it has
 * claimed by renaming them into a processing folder, so several pollers (processes) never get
 * the same file. Files whose names start with `.` — among them the file transport's `.tmp-*`
 * files still being written — are never picked up.
 *
 *   for await (const file of readDirectory('in', { pattern: '*.xml', archiveDir: 'done' })) {
 *     const bytes = await file.read();
 *     ... store it durably ...
 *     await file.done();          // moves it to archiveDir (or deletes it when none)
 *   }
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { errnoCode } from './classify-http.js';
import { fileError } from './file-errors.js';

export interface ClaimedFile {
  /** Name the file had in the watched directory. */
  readonly name: string;
  /** Where it is now (inside the processing folder). */
  readonly path: string;
  readonly size: number;
  read(): Promise<Buffer>;
  /** Processing succeeded: move to `archiveDir` (never overwriting) or delete. */
  done(): Promise<string | undefined>;
  /** Processing failed for good: move to `errorDir` (default `<dir>/.error`). */
  fail(): Promise<string>;
  /** Give the file back to the watched directory (e.g. on shutdown before it was stored). */
  release(): Promise<void>;
}

export interface ReadDirectoryOptions {
  /** `*.xml`-style glob (only `*` and `?`) or a regular expression on the file name. */
  readonly pattern?: string | RegExp;
  readonly processingDir?: string;
  readonly archiveDir?: string;
  readonly errorDir?: string;
  /** Stop after one scan instead of polling forever. */
  readonly once?: boolean;
  readonly pollIntervalMs?: number;
  readonly signal?: AbortSignal;
  /** Injected wait between scans (tests); resolves early or rejects when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Moves `from` to `dir/name`, adding `.1`, `.2`… when the name is taken (never overwrites). */
async function moveNoClobber(from: string, dir: string, name: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (let i = 0; i < 1000; i++) {
    const target = path.join(dir, i === 0 ? name : `${name}.${i}`);
    try {
      await fs.link(from, target);
      await fs.unlink(from);
      return target;
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EEXIST') continue;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') {
        const taken = await fs.stat(target).then(
          () => true,
          () => false,
        );
        if (taken) continue;
        await fs.rename(from, target);
        return target;
      }
      throw fileError(e, 'moving', from);
    }
  }
  throw fileError(new Error('too many files with this name'), 'moving', from);
}

/** Claims one file by renaming it to a unique name in the processing folder; undefined if lost. */
async function claim(
  dir: string,
  processingDir: string,
  name: string,
): Promise<{ path: string; size: number } | undefined> {
  const claimedPath = path.join(processingDir, `${Date.now()}-${randomBytes(4).toString('hex')}-${name}`);
  try {
    await fs.rename(path.join(dir, name), claimedPath);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined; // another poller was faster
    throw fileError(e, 'claiming', path.join(dir, name));
  }
  const stat = await fs.stat(claimedPath);
  return { path: claimedPath, size: stat.size };
}

/** Polls `dir` and yields claimed files in name order. Ends when `signal` aborts (or after one scan with `once`). */
export async function* readDirectory(
  dir: string,
  options: ReadDirectoryOptions = {},
): AsyncGenerator<ClaimedFile> {
  const root = path.resolve(dir);
  const processingDir = path.resolve(options.processingDir ?? path.join(root, '.processing'));
  const errorDir = path.resolve(options.errorDir ?? path.join(root, '.error'));
  const archiveDir = options.archiveDir !== undefined ? path.resolve(options.archiveDir) : undefined;
  const pattern =
    options.pattern === undefined
      ? undefined
      : typeof options.pattern === 'string'
        ? globToRegExp(options.pattern)
        : options.pattern;
  const sleep =
    options.sleep ?? ((ms: number, signal?: AbortSignal) => sleepTimer(ms, undefined, { signal }));
  await fs.mkdir(processingDir, { recursive: true });

  while (!options.signal?.aborted) {
    let entries;
    try {
      entries = await fs.readdir(root, { withFileTypes: true });
    } catch (e) {
      throw fileError(e, 'reading directory', root);
    }
    const names = entries
      .filter((e) => e.isFile() && !e.name.startsWith('.') && (pattern === undefined || pattern.test(e.name)))
      .map((e) => e.name)
      .sort();
    for (const name of names) {
      if (options.signal?.aborted) return;
      const claimed = await claim(root, processingDir, name);
      if (claimed === undefined) continue;
      yield {
        name,
        path: claimed.path,
        size: claimed.size,
        read: () => fs.readFile(claimed.path),
        async done() {
          if (archiveDir === undefined) {
            await fs.rm(claimed.path, { force: true });
            return undefined;
          }
          return moveNoClobber(claimed.path, archiveDir, name);
        },
        fail: () => moveNoClobber(claimed.path, errorDir, name),
        async release() {
          await moveNoClobber(claimed.path, root, name);
        },
      };
    }
    if (options.once) return;
    try {
      await sleep(options.pollIntervalMs ?? 2000, options.signal);
    } catch {
      return; // aborted while waiting
    }
  }
}

/**
 * Moves files left in the processing folder by a crashed poller back into the watched
 * directory. Call at start-up only when this process is the directory's single poller.
 */
export async function requeueProcessing(dir: string, processingDir?: string): Promise<string[]> {
  const root = path.resolve(dir);
  const proc = path.resolve(processingDir ?? path.join(root, '.processing'));
  const names = await fs.readdir(proc).catch(() => [] as string[]);
  const moved: string[] = [];
  for (const claimedName of names.sort()) {
    const original = /^\d+-[0-9a-f]{8}-(.+)$/.exec(claimedName)?.[1] ?? claimedName;
    moved.push(await moveNoClobber(path.join(proc, claimedName), root, original));
  }
  return moved;
}

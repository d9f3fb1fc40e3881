/**
 * The layer rule of eslint.config.js (no-restricted-imports per folder, docs/architecture.md)
 * rejects wrong-way imports: checked here on sample files at the paths of each layer, so a rule
 * that silently stopped matching (a renamed folder, a broken pattern) fails the tests. That src/
 * itself passes it is `npm run lint`.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from './import-graph.js';

const eslint = new ESLint({ cwd: ROOT });

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layer rule', () => {
  it('keeps the core free of adapters, drivers, use cases and wiring', async () => {
    for (const spec of [
      '../store/db/db.js',
      '../pipeline/deps.js',
      '../wiring/app.js',
      'fastify',
      'ioredis',
    ]) {
      const code = `import type { X } from '${spec}';\nexport type Y = X;\n`;
      expect(await restricted('src/mapping/sample.ts', code), spec).not.toEqual([]);
    }
    expect(
      await restricted('src/idoc/sample.ts', `export { x } from '../queues/producer.js';\n`),
    ).not.toEqual([]);
    expect(
      await restricted('src/idoc/sample.ts', `import { y } from './model.js';\nexport const x = y;\n`),
    ).toEqual([]);
  });

  it('lets a use case see ports, never an adapter or the wiring', async () => {
    const bad = [
      '../transports/registry.js',
      '../../store/db/db.js',
      '../queues/producer.js',
      '../redis/connect.js',
      '../api/auth.js',
      '../wiring/pushback.js',
      '../app.js',
      '../config/load.js',
      '../config/check.js',
      'bullmq',
      'pg',
    ];
    for (const spec of bad) {
      const code = `import type { X } from '${spec}';\nexport type Y = X;\n`;
      expect(await restricted('src/pipeline/sample.ts', code), spec).not.toEqual([]);
    }
    const port = `import type { Transport } from '../../pipeline/transport-port.js';\nexport type T = Transport;\n`;
    expect(await restricted('src/ledger/serials/sample.ts', port)).toEqual([]);
    const config = `import type { Config } from '../config/schema.js';\nexport type C = Config;\n`;
    expect(await restricted('src/sweeper/sample.ts', config)).toEqual([]);
  });

  it('keeps adapters from building the app, and lets the wiring import everything', async () => {
    const code = `import { buildApp } from '../wiring/app.js';\nexport const b = buildApp;\n`;
    expect(await restricted('src/api/sample.ts', code)).not.toEqual([]);
    const wiring = `import { Redis } from 'ioredis';\nimport { openStore } from '../store/open-store.js';\nexport const x = [Redis, openStore];\n`;
    expect(await restricted('src/wiring/sample.ts', wiring)).toEqual([]);
    expect(await restricted('src/store/sample.ts', `import pg from 'pg';\nexport const p = pg;\n`)).toEqual(
      [],
    );
  });

  it('keeps the store drivers free of the aggregates built on them', async () => {
    const aggregate = `import { toMessage } from '../messages/rows.js';\nexport const t = toMessage;\n`;
    expect(await restricted('src/store/db/sample.ts', aggregate)).not.toEqual([]);
    const root = `import { buildApp } from '../../wiring/app.js';\nexport const b = buildApp;\n`;
    expect(await restricted('src/store/db/sample.ts', root)).not.toEqual([]);
    const driver = `import { str } from '../db/columns.js';\nexport const s = str;\n`;
    expect(await restricted('src/store/deliveries/sample.ts', driver)).toEqual([]);
    expect(
      await restricted('src/store/db/sample.ts', `import pg from 'pg';\nexport const p = pg;\n`),
    ).toEqual([]);
  });
});

/**
 * Runs npm scripts side by side (`npm test` runs typecheck and lint this way, before vitest): each
 * script's output is held and printed whole when it ends, in the order given, so two failures do
 * not interleave. Exits 1 when any script failed, naming each.
 *
 *   node --import tsx scripts/run-parallel.ts typecheck lint
 */
import { spawn } from 'node:child_process';

interface Outcome {
  readonly name: string;
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

function runScript(name: string): Promise<Outcome> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const done = (code: number, extra = ''): void =>
      resolve({
        name,
        code,
        output: Buffer.concat(chunks).toString('utf8') + extra,
        seconds: (Date.now() - t0) / 1000,
      });
    child.on('error', (err) => done(1, `\n${err.message}\n`));
    child.on('close', (code, signal) => done(code ?? 1, signal !== null ? `\nkilled by ${signal}\n` : ''));
  });
}

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error('usage: run-parallel.ts <npm script> [<npm script> ...]');
  process.exit(2);
}
const outcomes = await Promise.all(names.map(runScript));
for (const o of outcomes) {
  process.stdout.write(o.output);
  console.log(`${o.code === 0 ? 'ok' : 'FAILED'}: npm run ${o.name} (${o.seconds.toFixed(1)} s)`);
}
const failed = outcomes.filter((o) => o.code !== 0);
if (failed.length > 0) {
  console.error(`failed: ${failed.map((o) => o.name).join(', ')}`);
  process.exit(1);
}

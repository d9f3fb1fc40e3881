/**
 * `idocgate simulate --out dir [--seed n] [--days n] [--network sites-yaml|<dcs>x<stores>]`:
 * writes a simulated store network's messages, in time order, as the gateway's edges take them —
 * `NNNNNN-sap-<key>.xml` (DELVRY07 IDoc-XML for POST /sap/idoc-xml) and
 * `NNNNNN-<partner>-<contract>-<key>.json` (for POST /in/<contract>) — plus `manifest.ndjson`
 * (one line per message: file, edge, partner, contract, time) and, apart from them,
 * `truth.json` (what the simulator lost where; never part of a message). docs/intelligence.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeXml } from '../../idoc/xml-writer.js';
import { toGatewayMessage } from '../../intelligence/simulator/payloads.js';
import { simulate, type SimulationOptions } from '../../intelligence/simulator/simulate.js';

interface Options {
  out: string;
  seed?: string;
  days?: string;
  network?: string;
}

function networkOf(v: string | undefined): NonNullable<SimulationOptions['network']> {
  if (v === undefined || v === 'sites-yaml') return 'sites-yaml';
  const m = /^(\d+)x(\d+)$/.exec(v);
  if (!m) throw new Error(`--network must be sites-yaml or <dcs>x<stores>, e.g. 2x8 (got ${v})`);
  return { dcs: Number(m[1]), stores: Number(m[2]) };
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('write a seeded store-network simulation as gateway messages, with its ground truth apart')
    .requiredOption('-o, --out <dir>', 'output directory')
    .option('--seed <n>', 'random seed', '1')
    .option('--days <n>', 'simulated days', '30')
    .option('--network <shape>', 'sites-yaml (the example sites) or <dcs>x<stores>', 'sites-yaml')
    .action(async (opts: Options) => {
      const sim = simulate({
        seed: Number(opts.seed ?? 1),
        days: Number(opts.days ?? 30),
        network: networkOf(opts.network),
      });
      await mkdir(opts.out, { recursive: true });
      const manifest: string[] = [];
      let n = 0;
      for (const e of sim.events) {
        const m = toGatewayMessage(e);
        const seq = String(++n).padStart(6, '0');
        if (m.edge === 'sap') {
          const file = `${seq}-sap-${m.key}.xml`;
          await writeFile(join(opts.out, file), writeXml(m.idoc));
          manifest.push(JSON.stringify({ file, edge: 'sap', url: '/sap/idoc-xml', at: m.at }));
        } else {
          const file = `${seq}-${m.partner}-${m.contract}-${m.key}.json`;
          await writeFile(join(opts.out, file), JSON.stringify(m.json, null, 2));
          manifest.push(
            JSON.stringify({ file, edge: 'partner', partner: m.partner, url: `/in/${m.contract}`, at: m.at }),
          );
        }
      }
      await writeFile(join(opts.out, 'manifest.ndjson'), `${manifest.join('\n')}\n`);
      await writeFile(
        join(opts.out, 'truth.json'),
        JSON.stringify({ network: sim.network, knobs: sim.knobs, deliveries: sim.truth }, null, 2),
      );
      process.stdout.write(
        `${sim.truth.length} deliveries, ${n} messages, ${sim.serialMovements} serial movements -> ${opts.out} ` +
          `(${sim.truth.filter((t) => t.missing.length > 0).length} with missing serials: truth.json)\n`,
      );
    });
}

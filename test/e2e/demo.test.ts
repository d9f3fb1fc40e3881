/**
 * `npm start` with no configuration: a spawned `node --import tsx src/main.ts` (what `npm start`
 * runs after its build) starts the self-contained demo — gateway, fake SAP with its ALE audit and
 * the webhooks in one process — prints the banner, and the banner's three curl lines, run as
 * printed by a shell, work: the delivery reaches the WMS, the handheld receipt is posted by SAP
 * (53 via the ALE audit), and the search by serial finds it. The demo sign-ins open sessions.
 * Before the banner the demo has pushed back a partly received delivery (80009002): the banner
 * links it, the API shows it pushed back with both postings posted by SAP, and in Chromium the
 * banner's link opens it as a picture (when /usr/bin/chromium is there; always in CI).
 * A non-loopback --host is refused before anything starts; with a config file it is the normal
 * gateway (no demo, no fake SAP). SIGTERM stops the demo and removes its Redis keys.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isLoopback } from '../../src/demo/demo.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { browserAvailable, buildConsole, launchChromium, SCREENSHOTS } from '../console/harness.js';
import { waitFor } from './helpers.js';

const run = promisify(execFile);

interface Spawned {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

/** The environment of someone who just cloned the project: no config, no database URL. */
function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['IDOCGATE_CONFIG'];
  delete env['LOG_LEVEL'];
  return { ...env, ...extra };
}

function start(args: string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

const running: Spawned[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function redisKeys(pattern: string): Promise<string[]> {
  const r = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await r.connect();
  try {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  } finally {
    r.disconnect();
  }
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('npm start without a config: the demo', () => {
  it(
    'prints the banner; its curl lines work as printed; demo sign-ins work; SIGTERM cleans up',
    { timeout: 120_000 },
    async () => {
      await buildConsole();
      await mkdir(SCREENSHOTS, { recursive: true });
      // A DATABASE_URL that cannot work: the demo must not use it (its data stays in memory).
      const demo = start(['--port', '0'], plainEnv({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }));
      running.push(demo);
      let url = '';
      await waitFor(
        () => {
          if (demo.child.exitCode !== null) throw new Error(`demo exited early:\n${demo.output()}`);
          const m = /Console\s+(http:\/\/127\.0\.0\.1:\d+)\/console/.exec(demo.output());
          if (m && demo.output().includes('Ctrl-C stops the demo')) url = m[1]!;
          return url !== '';
        },
        'the demo banner',
        90_000,
      );
      const failWithOutput = (err: unknown): never => {
        throw new Error(`${(err as Error).message}\n${demo.output()}`);
      };
      const out = demo.output();
      expect(out).toContain('idocgate DEMO');
      expect(out).toMatch(
        /Sign in\s+support \/ demo-operator \(operator\)\s+auditor \/ demo-viewer \(viewer/,
      );
      const sapUrl = /Fake SAP\s+(http:\/\/127\.0\.0\.1:\d+)\/sap\/bc\/idoc_xml\?sap-client=100/.exec(
        out,
      )?.[1];
      expect(sapUrl).toBeDefined();
      const curls = out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('curl '));
      expect(curls).toHaveLength(3);
      for (const c of curls) expect(c).toContain(url);

      // The pushed-back delivery the demo seeded, as the banner says and as a picture.
      const pushbackUrl = /Pushback\s+(http:\/\/\S+\/console\/deliveries\?delivery=80009002)/.exec(out)?.[1];
      expect(pushbackUrl).toBe(`${url}/console/deliveries?delivery=80009002`);
      const seeded = (await (
        await fetch(`${url}/api/deliveries/80009002`, {
          headers: { authorization: basic('support', 'demo-operator') },
        })
      ).json()) as {
        delivery: { state: string };
        pushback: { postings: { status: string; sapStatus: string }[] };
      };
      expect(seeded.delivery.state).toBe('pushed-back');
      // its freight claim goes to the forwarding agent the DELVRY07 names (E1ADRM1 SP 0000700001)
      const claim = (await (
        await fetch(`${url}/api/deliveries/80009002/claim`, {
          headers: { authorization: basic('support', 'demo-operator') },
        })
      ).json()) as { carrier: string | null; missingSerials: { serial: string }[] };
      expect(claim.carrier).toBe('700001');
      expect(claim.missingSerials.map((m) => m.serial)).toContain('SN-9002-02');
      expect(seeded.pushback.postings.map((p) => [p.status, p.sapStatus])).toEqual([
        ['posted', '53'],
        ['posted', '53'],
      ]);
      if (process.env.CI === 'true' || browserAvailable()) {
        const browser = await launchChromium();
        try {
          const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
          await page.goto(pushbackUrl!);
          await page.getByLabel('User').fill('support');
          await page.getByLabel('Password').fill('demo-operator');
          await page.getByRole('button', { name: 'Sign in' }).click();
          const detail = page.getByTestId('delivery-detail');
          await detail.getByText('pushed back', { exact: true }).first().waitFor({ timeout: 20_000 });
          const checklist = page.getByTestId('serial-checklist');
          await checklist.locator('[data-mark="received"]').getByText('SN-9002-01').waitFor();
          expect(await checklist.textContent()).toContain('SN-9002-02');
          await waitFor(
            async () =>
              (await page.getByTestId('pushback-posting').locator('[data-status="posted"]').count()) === 2,
            'both postings posted on the picture',
            20_000,
          );
          await page.screenshot({ path: join(SCREENSHOTS, 'demo-pushback.png'), fullPage: true });
          // the banner's link to the missing serial's journey
          const journeyUrl = /journey: (http:\/\/\S+\/console\/serials\?serial=SN-9002-02)/.exec(out)?.[1];
          expect(journeyUrl).toBeDefined();
          await page.goto(journeyUrl!);
          await page.getByTestId('serial-journey').waitFor({ timeout: 20_000 });
          expect(await page.getByTestId('serial-state').textContent()).not.toBe('');
        } finally {
          await browser.close();
        }
      }

      // 1: SAP sends a delivery over its XML-HTTP port; the WMS webhook (in the demo) gets it.
      const first = await run('sh', ['-c', curls[0]!], { cwd: PROJECT_ROOT });
      expect(first.stdout).toMatch(/^OK 1 IDoc\(s\) stored: 0000000000004712/);
      await waitFor(
        () => /WMS\s+<- \{"messageType":"DESADV"/.test(demo.output()),
        'the DESADV at the WMS',
        30_000,
      ).catch(failWithOutput);

      // 2: a handheld goods receipt becomes MBGMCR03 for the fake SAP, which posts it and audits back.
      const second = await run('sh', ['-c', `${curls[1]!} -w '\\n%{http_code}'`], { cwd: PROJECT_ROOT });
      expect(second.stdout.trim().split('\n').pop()).toBe('202');
      const id = (JSON.parse(second.stdout.trim().split('\n')[0]!) as { messages: { id: string }[] })
        .messages[0]!.id;
      await waitFor(
        () => /SAP\s+<- \/sap\/bc\/idoc_xml MBGMCR03/.test(demo.output()),
        'the MBGMCR03 at SAP',
        30_000,
      ).catch(failWithOutput);
      await waitFor(
        async () => {
          const res = await fetch(`${url}/api/messages/${id}`, {
            headers: { authorization: basic('support', 'demo-operator') },
          });
          return ((await res.json()) as { message?: { status?: string } }).message?.status === 'posted';
        },
        'SAP to post the receipt (ALE audit, status 53)',
        30_000,
      ).catch(failWithOutput);
      expect(demo.output()).toMatch(/SAP\s+-> gateway ALEAUD01 \(\d+ 53\) -> HTTP 200/);

      // 3: found by serial number, as printed.
      const third = await run('sh', ['-c', curls[2]!], { cwd: PROJECT_ROOT });
      const found = JSON.parse(third.stdout) as {
        items: { id: string; status: string; sapStatus: string }[];
      };
      expect(found.items.map((m) => [m.id, m.status, m.sapStatus])).toEqual([[id, 'posted', '53']]);

      // The demo sign-ins of the banner open console sessions with their roles.
      for (const [username, password, role] of [
        ['support', 'demo-operator', 'operator'],
        ['auditor', 'demo-viewer', 'viewer'],
      ] as const) {
        const res = await fetch(`${url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
        });
        expect(res.status).toBe(201);
        expect(((await res.json()) as { role: string }).role).toBe(role);
      }
      const consolePage = await fetch(`${url}/console/`);
      expect(consolePage.status).toBe(
        existsSync(join(PROJECT_ROOT, 'console', 'dist', 'index.html')) ? 200 : 503,
      );

      const pid = demo.child.pid!;
      expect(await redisKeys(`idocgate-demo-${pid}-*`)).not.toHaveLength(0);
      demo.child.kill('SIGTERM');
      expect(await demo.exited).toBe(0);
      expect(await redisKeys(`idocgate-demo-${pid}-*`)).toEqual([]);
      // the fake SAP went with it
      await expect(fetch(sapUrl!)).rejects.toThrow();
    },
  );

  it('refuses a non-loopback --host before starting anything (exit 2)', { timeout: 60_000 }, async () => {
    // the three processes side by side (each loads the app through tsx before it refuses)
    const tries = ['0.0.0.0', '::', '192.168.17.4'].map((host) => {
      const refused = start(['--host', host, '--port', '0'], plainEnv());
      running.push(refused);
      return { host, refused };
    });
    for (const { host, refused } of tries) {
      expect(await refused.exited).toBe(2);
      expect(refused.output()).toContain(`listens on a loopback address only`);
      expect(refused.output()).toContain(`not ${host}`);
      expect(refused.output()).not.toContain('idocgate DEMO');
    }
  });

  it('loopback addresses are 127/8, ::1 and localhost', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com', '', '::ffff:10.0.0.1'])
      expect(isLoopback(h), h).toBe(false);
  });

  it(
    'with IDOCGATE_CONFIG it is the configured gateway: no demo, no fake SAP',
    { timeout: 90_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'idocgate-nodemo-'));
      dirs.push(dir);
      const file = join(dir, 'config.yaml');
      await writeFile(
        file,
        stringify({
          server: { host: '127.0.0.1', port: 0 },
          database: { dataDir: 'memory://' },
          redis: { prefix: `nodemo-${process.pid}`, autoStart: false },
        }),
      );
      const gw = start([], plainEnv({ IDOCGATE_CONFIG: file }));
      running.push(gw);
      let url = '';
      await waitFor(
        () => {
          if (gw.child.exitCode !== null) throw new Error(`gateway exited early:\n${gw.output()}`);
          url = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(gw.output())?.[1] ?? '';
          return url !== '';
        },
        'the gateway to listen',
        60_000,
      ).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\n${gw.output()}`);
      });
      expect(gw.output()).not.toContain('idocgate DEMO');
      expect(gw.output()).toContain(`"config":"${file}"`);
      // no demo operators: the demo sign-in is refused
      const res = await fetch(`${url}/api/messages`, {
        headers: { authorization: basic('support', 'demo-operator') },
      });
      expect(res.status).toBe(401);
      gw.child.kill('SIGTERM');
      expect(await gw.exited).toBe(0);
    },
  );
});

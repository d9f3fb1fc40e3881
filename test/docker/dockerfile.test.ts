/**
 * Docker for users without a Docker engine (none runs here or in CI): the Dockerfile's COPY and
 * RUN steps are replayed in order into an empty temporary directory (COPY honours .dockerignore,
 * RUN runs with `sh -c` there, ENV applies from where it stands), then its CMD starts the server,
 * which must listen on 0.0.0.0 and answer /healthz. docker-compose.yml is parsed and every file it
 * refers to must be in the repository (build context and Dockerfile, bind mounts, the config named
 * by IDOCGATE_CONFIG through its mount), every depends_on a service.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../src/paths.js';
import { deleteKeys } from '../e2e/helpers.js';

interface Step {
  readonly op: string;
  readonly args: string;
}

/** Dockerfile instructions (continuation lines joined, comments dropped). */
function dockerfileSteps(text: string): Step[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\w+)\s+(.*)$/.exec(l);
      if (!m) throw new Error(`cannot read Dockerfile line: ${l}`);
      return { op: m[1]!.toUpperCase(), args: m[2]! };
    });
}

/** .dockerignore as a predicate over paths relative to the context (the subset we use). */
function ignoreRules(text: string): (rel: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((p) => p.replace(/^\/+/, '').replace(/\/+$/, ''));
  const globToRe = (p: string) =>
    new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')}$`,
    );
  const res = rules.map(globToRe);
  return (rel) => {
    const parts = rel.split('/');
    // a rule matches the path or any of its parent folders
    return parts.some((_, i) => {
      const prefix = parts.slice(0, i + 1).join('/');
      return res.some((re) => re.test(prefix));
    });
  };
}

function copyInto(sources: readonly string[], destDir: string, ignored: (rel: string) => boolean): void {
  const dest = destDir;
  execFileSync('mkdir', ['-p', dest]);
  for (const src of sources) {
    if (src === '.') {
      for (const entry of readdirSync(PROJECT_ROOT)) {
        if (ignored(entry)) continue;
        cpSync(join(PROJECT_ROOT, entry), join(dest, entry), {
          recursive: true,
          verbatimSymlinks: true,
          filter: (from) => {
            const rel = relative(PROJECT_ROOT, from);
            return rel === '' || !ignored(rel);
          },
        });
      }
    } else {
      if (ignored(src)) throw new Error(`COPY ${src}: excluded by .dockerignore`);
      const from = join(PROJECT_ROOT, src);
      if (!existsSync(from)) throw new Error(`COPY ${src}: not in the repository`);
      cpSync(from, join(dest, statSync(from).isDirectory() ? src : src.split('/').pop()!), {
        recursive: true,
      });
    }
  }
}

const work = mkdtempSync(join(tmpdir(), 'idocgate-docker-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('Dockerfile, replayed without Docker', () => {
  it(
    'COPY and RUN succeed in an empty directory and CMD starts the server on 0.0.0.0',
    { timeout: 900_000 },
    async () => {
      const steps = dockerfileSteps(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
      const ignored = ignoreRules(readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8'));
      expect(ignored('node_modules')).toBe(true);
      expect(ignored('console/dist/index.html')).toBe(true);
      expect(ignored('src/main.ts')).toBe(false);
      expect(steps[0]).toEqual({ op: 'FROM', args: 'node:20-bookworm-slim' });
      const app = join(work, 'app');
      let cwd = work;
      const env: Record<string, string> = {};
      let cmd: string[] | undefined;
      for (const { op, args } of steps.slice(1)) {
        if (op === 'WORKDIR') {
          expect(args).toBe('/app');
          cwd = app;
          execFileSync('mkdir', ['-p', cwd]);
        } else if (op === 'COPY') {
          const parts = args.split(/\s+/);
          const dest = parts.pop()!;
          // into the work dir, or a folder of it (`console/`)
          expect(dest === '.' || dest.endsWith('/')).toBe(true);
          copyInto(parts, join(cwd, dest), ignored);
        } else if (op === 'RUN') {
          // npm from its cache where it can (the same packages as the lock); output kept for a failure
          try {
            execFileSync('sh', ['-c', args], {
              cwd,
              env: {
                ...process.env,
                ...env,
                npm_config_prefer_offline: 'true',
                npm_config_audit: 'false',
                npm_config_fund: 'false',
              },
              stdio: 'pipe',
              maxBuffer: 64 * 1024 * 1024,
            });
          } catch (e) {
            const err = e as { stdout?: Buffer; stderr?: Buffer };
            throw new Error(
              `RUN ${args} failed:\n${err.stdout?.toString() ?? ''}\n${err.stderr?.toString() ?? ''}`,
            );
          }
        } else if (op === 'ENV') {
          const m = /^(\w+)=(.*)$/.exec(args);
          expect(m).not.toBeNull();
          env[m![1]!] = m![2]!;
        } else if (op === 'CMD') {
          cmd = JSON.parse(args) as string[];
        } else {
          expect(['EXPOSE']).toContain(op);
        }
      }
      // what the image holds: the build output, the console, production dependencies only
      expect(existsSync(join(app, 'dist', 'src', 'main.js'))).toBe(true);
      expect(existsSync(join(app, 'console', 'dist', 'index.html'))).toBe(true);
      expect(existsSync(join(app, 'node_modules', 'fastify'))).toBe(true);
      expect(existsSync(join(app, 'node_modules', 'vitest'))).toBe(false);
      expect(cmd).toEqual(['node', 'dist/src/main.js', '--host', '0.0.0.0']);

      // the config docker-compose.yml gives it (the shipped example), on a free port, in memory
      const config = join(work, 'config.yaml');
      const example = readFileSync(join(app, 'config', 'idocgate.example.yaml'), 'utf8')
        .replace('port: 8080', 'port: 0')
        .replace(
          /^server:/m,
          `database: { dataDir: 'memory://' }\nredis: { prefix: docker-test-${process.pid} }\nserver:`,
        );
      execFileSync('sh', ['-c', `cat > ${config}`], { input: example });
      const child = spawn(cmd![0] === 'node' ? process.execPath : cmd![0]!, cmd!.slice(1), {
        cwd: app,
        env: { ...process.env, ...env, IDOCGATE_CONFIG: config },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      try {
        let port = '';
        const deadline = Date.now() + 90_000;
        while (port === '') {
          if (child.exitCode !== null) throw new Error(`the server exited:\n${out}`);
          if (Date.now() > deadline) throw new Error(`the server did not listen:\n${out}`);
          port = /"address":"http:\/\/[^"]*:(\d+)","roles"/.exec(out)?.[1] ?? '';
          await new Promise((r) => setTimeout(r, 100));
        }
        // bound to every interface (0.0.0.0), not only loopback: the kernel's table of listening sockets
        const listening = readFileSync('/proc/net/tcp', 'utf8')
          .split('\n')
          .map((l) => l.trim().split(/\s+/))
          .filter((f) => f[3] === '0A')
          .map((f) => f[1]);
        expect(listening).toContain(`00000000:${Number(port).toString(16).toUpperCase().padStart(4, '0')}`);
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(health.status).toBe(200);
        const consolePage = await fetch(`http://127.0.0.1:${port}/console/`);
        expect(consolePage.status).toBe(200);
      } finally {
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          await new Promise((r) => child.once('exit', r));
        }
        await deleteKeys(`docker-test-${process.pid}`);
      }
    },
  );
});

describe('docker-compose.yml', () => {
  interface Service {
    build?: string | { context?: string; dockerfile?: string };
    volumes?: string[];
    environment?: Record<string, string>;
    depends_on?: Record<string, unknown> | string[];
    image?: string;
  }
  const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Service>;
    volumes?: Record<string, unknown>;
  };
  /** ${VAR:-default} as compose substitutes it with VAR unset. */
  const substitute = (v: string) =>
    v.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_, _n, d: string | undefined) => d ?? '');

  it('refers only to files the repository ships', () => {
    const named = new Set(Object.keys(compose.volumes ?? {}));
    const mounts: { source: string; target: string }[] = [];
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.build !== undefined) {
        const context = typeof s.build === 'string' ? s.build : (s.build.context ?? '.');
        const dockerfile = typeof s.build === 'string' ? 'Dockerfile' : (s.build.dockerfile ?? 'Dockerfile');
        expect(existsSync(join(PROJECT_ROOT, context, dockerfile)), `${name}: ${context}/${dockerfile}`).toBe(
          true,
        );
      } else {
        expect(s.image, `${name} has an image or a build`).toBeDefined();
      }
      for (const v of s.volumes ?? []) {
        const [source, target] = v.split(':');
        if (source!.startsWith('.') || source!.startsWith('/')) {
          expect(existsSync(join(PROJECT_ROOT, source!)), `${name}: bind mount ${source}`).toBe(true);
          mounts.push({ source: source!, target: target! });
        } else {
          expect(named.has(source!), `${name}: named volume ${source}`).toBe(true);
        }
      }
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) expect(Object.keys(compose.services)).toContain(d);
      // the config file named in the container must come from a mount of the repository
      const configPath = s.environment?.['IDOCGATE_CONFIG'];
      if (configPath !== undefined) {
        const inContainer = substitute(configPath);
        const mount = mounts.find((m) => inContainer.startsWith(`${m.target}/`));
        expect(mount, `${name}: IDOCGATE_CONFIG ${inContainer} is on a bind mount`).toBeDefined();
        const onHost = join(PROJECT_ROOT, mount!.source, relative(mount!.target, inContainer));
        expect(existsSync(onHost), `${name}: ${onHost}`).toBe(true);
        expect(dirname(onHost)).toBe(join(PROJECT_ROOT, 'config'));
      }
    }
    expect(compose.services['gateway']?.environment?.['IDOCGATE_CONFIG']).toBeDefined();
  });
});

/**
 * `npm ci` on Node 20 prints no EBADENGINE warning: every package in package-lock.json accepts the
 * oldest Node that package.json's `engines` allows (20.19.0). cookie@2 (Node >= 22, pulled in by
 * fastify's light-my-request 6.8) did not; package.json `overrides` pins light-my-request 6.6.0,
 * which uses cookie 1.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Semver {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
}
const semver = createRequire(import.meta.url)('semver') as Semver;

interface Lock {
  packages: Record<string, { version?: string; dev?: boolean; engines?: Record<string, string> | string[] }>;
}

describe('engines', () => {
  it('every locked package accepts the oldest supported Node (no EBADENGINE on Node 20)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(oldest).toBe('20.19.0');
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Lock;
    const refusing = Object.entries(lock.packages).flatMap(([path, p]) => {
      const range = !Array.isArray(p.engines) ? p.engines?.['node'] : undefined;
      return range !== undefined && !semver.satisfies(oldest, range)
        ? [`${path}@${p.version} (node ${range})`]
        : [];
    });
    expect(refusing).toEqual([]);
  });

  it('the check catches a package that needs a newer Node', () => {
    expect(semver.satisfies('20.19.0', '>=22')).toBe(false);
    expect(semver.satisfies('20.19.0', '18 || 20 || >=22')).toBe(true);
  });
});

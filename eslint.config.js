// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers (docs/architecture.md), as import rules: dependencies point inward only.
 * - core (src/idoc, src/definitions, src/mapping): nothing outside the core — no HTTP, queues,
 *   Redis, SQL, transports, use cases or wiring;
 * - use cases (src/pipeline, src/sweeper, src/ledger, src/intelligence, src/forecast): the core
 *   and the ports they declare themselves, never an adapter (src/api, src/store, src/queues,
 *   src/redis, src/transports, src/export) nor the composition root;
 * - adapters implement the ports and never build the app;
 * - only the composition root (src/wiring, src/main.ts, src/app.ts, src/cli, src/demo) imports
 *   everything.
 */
const folder = (names) => `(^|/)(${names.join('|')})/`;
const ADAPTERS = ['api', 'store', 'queues', 'redis', 'transports', 'export'];
const ROOT = ['wiring', 'cli', 'demo'];
const DRIVERS = ['fastify', 'bullmq', 'ioredis', 'pg', '@electric-sql/pglite', 'nats', '@fastify/*'];
const USE_CASES = ['pipeline', 'sweeper', 'ledger', 'intelligence', 'forecast'];
const STORE_AGGREGATES = ['messages', 'deliveries', 'serials', 'analytics'];
/** Reading and checking the config file is the wiring's job: the layers get the parsed config. */
const configLoading = {
  regex: '(^|/)config/(load|check|read)\\.js$',
  message: 'the config is read and checked once, by the wiring; take the parsed config as a parameter',
};
const rootFiles = {
  regex: '(^|/)(app|app-gateway|main)\\.js$',
  message: 'only the composition root imports the app',
};

const layerRule = (layer, folders, why, drivers = DRIVERS) => {
  const exact = drivers.filter((d) => !d.includes('*'));
  const globs = drivers.filter((d) => d.includes('*'));
  return {
    files: layer,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...(exact.length > 0 ? { paths: exact.map((name) => ({ name, message: why })) } : {}),
          patterns: [
            ...(globs.length > 0 ? [{ group: globs, message: why }] : []),
            { regex: folder(folders), message: why },
            ...(drivers.length > 0 ? [configLoading] : []),
            rootFiles,
          ],
        },
      ],
    },
  };
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'console/dist/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Only src/config reads process.env; pass configuration down.',
        },
      ],
    },
  },
  {
    files: [
      'src/config/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.ts',
      'src/cli/**/*.ts',
      'src/main.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  layerRule(
    ['src/idoc/**/*.ts', 'src/definitions/**/*.ts', 'src/mapping/**/*.ts'],
    [...ADAPTERS, ...ROOT, ...USE_CASES, 'config'],
    'the core (idoc, definitions, mapping) knows nothing outside itself (docs/architecture.md)',
  ),
  layerRule(
    USE_CASES.map((f) => `src/${f}/**/*.ts`),
    [...ADAPTERS, ...ROOT],
    'a use case sees ports, never an adapter or the wiring: declare the port next to the use case (docs/architecture.md)',
  ),
  layerRule(
    ADAPTERS.map((f) => `src/${f}/**/*.ts`),
    ROOT,
    'an adapter never builds the app: only src/wiring does (docs/architecture.md)',
    [],
  ),
  // The store's drivers (src/store/db) know no aggregate: messages, deliveries, serials and
  // analytics build on them, never the other way round (docs/store.md). Listed after the adapter
  // rule, which this one replaces for src/store/db, so it repeats the composition root.
  layerRule(
    ['src/store/db/**/*.ts'],
    [...ROOT, ...STORE_AGGREGATES],
    'the store drivers (src/store/db) know no aggregate: put the SQL of a table in its aggregate folder (docs/store.md)',
    [],
  ),
);

/**
 * Compiles a validated mapping file into a CompiledMapping: every path, segment, field, table,
 * conversion and contract is resolved once here; `run()` only calls the composed functions.
 */
import { checkPayload, contractJsonSchema, type PayloadContract } from '../contracts/registry.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import { IdocgateError, type Issue } from '../errors.js';
import type { ControlRecord, Idoc } from '../idoc/model.js';
import { fail, type CompileEnv } from './compile-env.js';
import { rootFrame, type RunState } from './runtime.js';
import { idocSourceModel, type IdocScope } from './source-idoc.js';
import { jsonSourceModel, type JsonSchemaNode, type JsonScope } from './source-json.js';
import { compileJsonObject } from './target-json.js';
import { compileChildren, compileControl } from './target-idoc.js';
import type {
  CompiledMapping,
  LookupTable,
  MappingContext,
  MappingFile,
  MappingIssue,
  MappingResult,
} from './types.js';

export interface CompileDeps {
  readonly definitions: DefinitionRegistry;
  readonly tables: ReadonlyMap<string, LookupTable>;
  readonly contracts: ReadonlyMap<string, PayloadContract>;
}

function invalid(file: string, issues: readonly Issue[]): IdocgateError {
  const list = issues
    .map((i) => `  ${file}#${i.path ?? ''}: ${i.message.replace(/^[^ ]*: /, '')}`)
    .join('\n');
  return new IdocgateError('MAPPING_INVALID', `${file}: invalid mapping\n${list}`, {
    issues: issues.map((i) => ({ ...i, details: { ...i.details, file } })),
  });
}

function stateFor(
  ctx: MappingContext,
  tables: ReadonlyMap<string, LookupTable>,
  issues: MappingIssue[],
): RunState {
  return { ctx, issues, table: (name) => ctx.tables?.[name] ?? tables.get(name) };
}

function sourceIssue(
  code: string,
  rule: string,
  message: string,
  sourcePath: string,
  value: string | null,
): MappingIssue {
  return { code, message, severity: 'error', path: '', sourcePath, targetPath: '', rule, value };
}

export function compileMapping(m: MappingFile, file: string, deps: CompileDeps): CompiledMapping {
  const errors: Issue[] = [];
  const early = (at: string, code: string, message: string): void => {
    errors.push({ code, path: at, message: `${at}: ${message}`, details: { file } });
  };
  const contractOf = (name: string | undefined, at: string): PayloadContract | undefined => {
    if (name === undefined) {
      early(at, 'MAPPING_NO_CONTRACT', 'a payload contract is required on the JSON side');
      return undefined;
    }
    const c = deps.contracts.get(name);
    if (!c)
      early(
        at,
        'MAPPING_UNKNOWN_CONTRACT',
        `unknown contract "${name}" (known: ${[...deps.contracts.keys()].join(', ')})`,
      );
    return c;
  };
  const definitionOf = (side: { idoc?: string; extension?: string }, at: string) => {
    if (!side.idoc) {
      early(at, 'MAPPING_NO_IDOC', 'the IDoc side needs "idoc" (basic type)');
      return undefined;
    }
    const d = deps.definitions.get(side.idoc, side.extension);
    if (!d)
      early(
        `${at}/idoc`,
        'MAPPING_UNKNOWN_IDOC',
        `no definition for IDoc type ${side.idoc}${side.extension ? `/${side.extension}` : ''}`,
      );
    return d;
  };
  const base = {
    name: m.name,
    file,
    description: m.description,
    direction: m.direction,
    source: m.source,
    target: {
      ...(m.target.idoc !== undefined ? { idoc: m.target.idoc } : {}),
      ...(m.target.extension !== undefined ? { extension: m.target.extension } : {}),
      ...(m.target.messageType !== undefined ? { messageType: m.target.messageType } : {}),
      ...(m.target.contract !== undefined ? { contract: m.target.contract } : {}),
    },
  };

  if (m.direction === 'idoc-to-json') {
    const def = definitionOf(m.source, '/source');
    const contract = contractOf(m.target.contract, '/target/contract');
    if (!m.target.fields)
      early('/target', 'MAPPING_NO_TARGET', 'an idoc-to-json mapping needs target.fields');
    if (m.target.segments || m.target.control)
      early('/target', 'MAPPING_BAD_TARGET', 'segments/control belong to json-to-idoc mappings');
    if (!def || !contract || !m.target.fields || errors.length > 0) throw invalid(file, errors);
    if (m.source.messageTypes)
      m.source.messageTypes.forEach((t, i) => {
        if (!Object.hasOwn(def.source.messageTypes, t))
          early(
            `/source/messageTypes/${i}`,
            'MAPPING_UNKNOWN_MESSAGE_TYPE',
            `${def.key} does not carry message type ${t}`,
          );
      });
    const env: CompileEnv<IdocScope> = { file, model: idocSourceModel(def), tables: deps.tables, errors };
    const targetSchema = contractJsonSchema(contract) as JsonSchemaNode;
    const build = compileJsonObject(env, m.target.fields, '/target/fields', [env.model.root], '', {
      root: targetSchema,
      scope: [targetSchema],
    });
    if (errors.length > 0) throw invalid(file, errors);
    const messageTypes = m.source.messageTypes;
    const basicType = def.basicType;
    return {
      ...base,
      run(input: unknown, ctx: MappingContext): MappingResult {
        const issues: MappingIssue[] = [];
        const idoc = input as Partial<Idoc> | null;
        if (
          idoc === null ||
          typeof idoc !== 'object' ||
          !Array.isArray(idoc.segments) ||
          typeof idoc.control !== 'object'
        ) {
          issues.push(
            sourceIssue(
              'SOURCE_NOT_IDOC',
              'source',
              'the input is not an IDoc (control + segments)',
              '',
              null,
            ),
          );
          return { output: undefined, issues };
        }
        const control: ControlRecord = idoc.control ?? {};
        const idoctyp = (control.IDOCTYP ?? '').trim();
        if (idoctyp !== basicType)
          issues.push(
            sourceIssue(
              'SOURCE_WRONG_TYPE',
              'source',
              `mapping ${m.name} reads ${basicType}, not ${idoctyp || '(none)'}`,
              'EDI_DC40.IDOCTYP',
              idoctyp,
            ),
          );
        const mestyp = (control.MESTYP ?? '').trim();
        if (messageTypes && !messageTypes.includes(mestyp))
          issues.push(
            sourceIssue(
              'SOURCE_WRONG_MESSAGE_TYPE',
              'source',
              `mapping ${m.name} reads ${messageTypes.join('/')}, not ${mestyp || '(none)'}`,
              'EDI_DC40.MESTYP',
              mestyp,
            ),
          );
        if (issues.length > 0) return { output: undefined, issues };
        const output = build(rootFrame(idoc), stateFor(ctx, deps.tables, issues)) ?? {};
        return { output, issues };
      },
    };
  }

  const contract = contractOf(m.source.contract, '/source/contract');
  const def = definitionOf(m.target, '/target');
  if (!m.target.segments)
    early('/target', 'MAPPING_NO_TARGET', 'a json-to-idoc mapping needs target.segments');
  if (m.target.fields)
    early('/target/fields', 'MAPPING_BAD_TARGET', 'fields belong to idoc-to-json mappings');
  if (m.target.messageType && def && !Object.hasOwn(def.source.messageTypes, m.target.messageType))
    early(
      '/target/messageType',
      'MAPPING_UNKNOWN_MESSAGE_TYPE',
      `${def.key} does not carry message type ${m.target.messageType}`,
    );
  if (!def || !contract || !m.target.segments || errors.length > 0) throw invalid(file, errors);
  const schema = contractJsonSchema(contract) as JsonSchemaNode;
  const env: CompileEnv<JsonScope> = { file, model: jsonSourceModel(schema), tables: deps.tables, errors };
  const scopes = [env.model.root];
  const fixed: ControlRecord = { TABNAM: 'EDI_DC40', IDOCTYP: def.basicType };
  if (def.extension) fixed.CIMTYP = def.extension;
  if (m.target.messageType) fixed.MESTYP = m.target.messageType;
  const control = compileControl(env, m.target.control ?? {}, '/target/control', scopes, fixed);
  const segments = compileChildren(env, def, null, m.target.segments, '/target/segments', scopes, '');
  if (segments.length === 0 && errors.length === 0)
    fail(env, '/target/segments', 'MAPPING_NO_TARGET', 'no segments');
  if (errors.length > 0) throw invalid(file, errors);
  return {
    ...base,
    run(input: unknown, ctx: MappingContext): MappingResult {
      const checked = checkPayload(contract, input);
      if (!checked.ok) {
        return {
          output: undefined,
          issues: checked.issues.map((i) => ({
            ...i,
            severity: 'error' as const,
            sourcePath: i.path ?? '',
            targetPath: '',
            rule: `contract:${contract.name}`,
            value: null,
          })),
        };
      }
      const issues: MappingIssue[] = [];
      const frame = rootFrame(checked.value);
      const state = stateFor(ctx, deps.tables, issues);
      const idoc: Idoc = { control: control(frame, state), segments: [] };
      for (let i = 0; i < segments.length; i++) segments[i]!(frame, state, idoc.segments);
      return { output: idoc, issues };
    },
  };
}

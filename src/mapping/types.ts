/**
 * Shapes of mapping files (`mappings/*.yaml`, validated by `mappings/mapping.schema.json`) and of
 * compiled mappings. Pure types: no I/O here.
 */
import type { Issue } from '../errors.js';

export type Direction = 'idoc-to-json' | 'json-to-idoc';

/** A value with a source path, or `{ name, ...args }` for a conversion with arguments. */
export type ConversionSpec = string | ({ name: string } & Record<string, unknown>);

/** A condition on values of the source (`when` on rules/segments/objects, `where` on loops). */
export interface ConditionSpec {
  path?: string;
  equals?: string | number | boolean;
  notEquals?: string | number | boolean;
  in?: (string | number)[];
  notIn?: (string | number)[];
  exists?: boolean;
  /** Compare with the value of another source path (numbers compare without leading zeros). */
  sameAs?: string;
  all?: ConditionSpec[];
  any?: ConditionSpec[];
  not?: ConditionSpec;
}

export interface LookupSpec {
  table: string;
  /** Match the rule's current value against this column. */
  key?: string;
  /** Match these columns against values of source paths (instead of `key`). */
  by?: Record<string, string>;
  /** Column whose value is returned. */
  get: string;
  /** Value when no row matches; without it a miss is an issue. */
  otherwise?: string;
}

/** One value rule. A plain string is shorthand for `{ from: <string> }`. */
export interface RuleObject {
  from?: string;
  const?: string | number | boolean;
  /** First of these rules that gives a non-empty value. */
  first?: RuleSpec[];
  lookup?: LookupSpec;
  default?: string | number | boolean;
  map?: Record<string, string>;
  /** Value for `map` when the key is not in it; without it a miss is an issue. */
  otherwise?: string;
  convert?: ConversionSpec | ConversionSpec[];
  required?: boolean;
  when?: ConditionSpec;
}
export type RuleSpec = string | RuleObject;

/** A node of a JSON target: a value rule, an object (`fields`) or an array (`each`). */
export interface JsonNodeObject extends RuleObject {
  each?: string | string[];
  where?: ConditionSpec;
  fields?: Record<string, JsonNodeSpec>;
  /** For `each` producing an array of scalars. */
  value?: RuleSpec;
  /** Keep an empty array / object in the output instead of omitting it. */
  keepEmpty?: boolean;
}
export type JsonNodeSpec = string | JsonNodeObject;

export interface SegmentSpec {
  segment: string;
  each?: string | string[];
  where?: ConditionSpec;
  when?: ConditionSpec;
  fields?: Record<string, RuleSpec>;
  children?: SegmentSpec[];
  /** Emit the segment even when it has no field values and no children. */
  keepEmpty?: boolean;
}

export interface MappingFile {
  name: string;
  description?: string;
  direction: Direction;
  source: { idoc?: string; extension?: string; messageTypes?: string[]; contract?: string };
  target: {
    idoc?: string;
    extension?: string;
    messageType?: string;
    contract?: string;
    control?: Record<string, RuleSpec>;
    segments?: SegmentSpec[];
    fields?: Record<string, JsonNodeSpec>;
  };
}

/** A row-based lookup table (`mappings/tables/<name>.yaml`). */
export interface LookupTable {
  readonly name: string;
  readonly description?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** What a mapping needs from its caller for one message. */
export interface MappingContext {
  /** "Now" for `$now` and defaults (injected: tests and replays pass a fixed clock). */
  readonly now: Date;
  /** IANA time zone of SAP dates/times (DATS/TIMS), e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  /** Lookup tables overriding the loaded ones by name. */
  readonly tables?: Readonly<Record<string, LookupTable>>;
}

/** A mapping problem: where in the source, where in the target, which rule, which value. */
export interface MappingIssue extends Issue {
  readonly sourcePath: string;
  readonly targetPath: string;
  readonly rule: string;
  readonly value: string | null;
}

export interface MappingResult<T = unknown> {
  /** The target (also when there are issues: as far as it could be built). */
  readonly output: T;
  /** Error issues mean the mapping failed; warnings (e.g. reported truncation) do not. */
  readonly issues: readonly MappingIssue[];
}

export interface CompiledMapping {
  readonly name: string;
  readonly file: string;
  readonly description: string | undefined;
  readonly direction: Direction;
  readonly source: MappingFile['source'];
  readonly target: { idoc?: string; extension?: string; messageType?: string; contract?: string };
  run(input: unknown, ctx: MappingContext): MappingResult;
}

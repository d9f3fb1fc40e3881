/**
 * Shows a stored payload version in another IDoc format: flat, XML or canonical JSON, through the
 * codec's convertIdocs (read with the version's own format, write with the one asked for). JSON
 * payloads that are not IDocs (a partner scan) can only be shown as they are.
 */
import type { DefinitionRegistry } from '../definitions/registry.js';
import { IdocgateError } from '../errors.js';
import { convertIdocs } from '../idoc/codec.js';
import type { IdocFormat } from '../idoc/detect.js';
import type { VersionRecord } from '../pipeline/store-port.js';

export type RenderFormat = 'flat' | 'xml' | 'json';

export const RENDER_FORMATS: readonly RenderFormat[] = ['flat', 'xml', 'json'];

export interface Rendered {
  readonly contentType: string;
  readonly body: string | Uint8Array;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  flat: 'text/plain; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  soap: 'text/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  binary: 'application/octet-stream',
};

const READABLE: ReadonlySet<string> = new Set<IdocFormat>(['flat', 'xml', 'soap', 'json']);

/** The version as stored (`as` undefined or its own format), or converted to `as`. */
export function renderVersion(
  version: VersionRecord,
  as: RenderFormat | undefined,
  definitions: DefinitionRegistry,
): Rendered {
  if (as === undefined || as === version.format) {
    return {
      contentType: version.contentType ?? CONTENT_TYPES[version.format] ?? 'application/octet-stream',
      body: version.content,
    };
  }
  if (!READABLE.has(version.format)) {
    throw new IdocgateError(
      'REQUEST_INVALID',
      `Version ${version.version} is ${version.format} and cannot be shown as ${as}`,
    );
  }
  try {
    const r = convertIdocs(version.content, as, definitions, { format: version.format as IdocFormat });
    return { contentType: CONTENT_TYPES[as] ?? 'text/plain; charset=utf-8', body: r.output };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new IdocgateError(
      'REQUEST_INVALID',
      `Version ${version.version} (${version.format}) cannot be shown as ${as}: ${why}`,
    );
  }
}

import { SharedError } from '../shared-error';

/** A JSONPath the emulation does not evaluate (only `$`, `.name`, `['name']` and `[index]` are supported). */
export class UnsupportedJsonPathError extends SharedError {
  readonly code = 'JSON_PATH_UNSUPPORTED';
  constructor(
    readonly path: string,
    readonly position: number,
  ) {
    super(`unsupported JSONPath "${path}" at character ${position}: only $, .name, ['name'] and [index] are supported`);
    this.name = 'UnsupportedJsonPathError';
  }
}

const SEGMENT = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^'\\]*)'\]|\["([^"\\]*)"\])/;

/** The value at a definite JSONPath (`$`, `$.a.b`, `$.records[2]`, `$['a b']`); undefined when absent. */
export function evaluateJsonPath(document: unknown, path: string): unknown {
  const trimmed = path.trim();
  if (!trimmed.startsWith('$')) throw new UnsupportedJsonPathError(path, 0);
  let value = document;
  let rest = trimmed.slice(1);
  while (rest.length > 0) {
    const match = SEGMENT.exec(rest);
    if (!match) throw new UnsupportedJsonPathError(path, trimmed.length - rest.length);
    const [segment, name, index, singleQuoted, doubleQuoted] = match;
    rest = rest.slice(segment.length);
    if (value === null || typeof value !== 'object') return undefined;
    const key = index !== undefined ? Number(index) : (name ?? singleQuoted ?? doubleQuoted)!;
    if (Array.isArray(value) !== (typeof key === 'number')) return undefined;
    value = Object.prototype.hasOwnProperty.call(value, key)
      ? (value as Record<string | number, unknown>)[key]
      : undefined;
  }
  return value;
}

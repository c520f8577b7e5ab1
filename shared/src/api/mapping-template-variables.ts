import { evaluateJsonPath } from './json-path';

/*
 * The `$input`, `$util` and `$context` variables API Gateway gives a request mapping template, as
 * documented in "Variables for data transformations for API Gateway" (docs/api-templates.md lists
 * what is covered). Plain objects with methods, so that any JavaScript Velocity engine can call them.
 */

/** The parts of an HTTP request a mapping template can read. */
export interface MappingTemplateRequest {
  /** The raw request body. */
  readonly body: string;
  /** Header values by name; looked up case-insensitively, as HTTP names are. */
  readonly headers: Readonly<Record<string, string>>;
  /** Query string parameters. @default {} */
  readonly querystring?: Readonly<Record<string, string>>;
  /** Path parameters. @default {} */
  readonly path?: Readonly<Record<string, string>>;
}

/** `$context`: the request's context values the templates use. */
export interface MappingTemplateContext {
  /** `$context.requestId`: a new id per request. */
  readonly requestId: string;
  /** `$context.stage`, e.g. `PROD`. */
  readonly stage: string;
  /** `$context.httpMethod`, e.g. `POST`. */
  readonly httpMethod: string;
  /** `$context.resourcePath`, e.g. `/v1/batch`. */
  readonly resourcePath: string;
}

/** `$input`: the request body and parameters. */
export class MappingTemplateInput {
  private parsedBody: { value: unknown } | undefined;

  constructor(private readonly request: MappingTemplateRequest) {}

  /** `$input.body`: the raw payload as a string. */
  get body(): string {
    return this.request.body;
  }

  /** `$input.json(path)`: the value at a JSONPath, as a JSON string (an absent value gives ""). */
  json(path: string): string {
    const value = evaluateJsonPath(this.document(), path);
    return value === undefined ? '' : JSON.stringify(value);
  }

  /** `$input.path(path)`: the value at a JSONPath as an object (so `.size()`, `#foreach` work on it). */
  path(path: string): unknown {
    return evaluateJsonPath(this.document(), path);
  }

  /**
   * `$input.params()`: all parameters as `{ path, querystring, header }`; `$input.params(name)`: the
   * value of the named path, query string or header parameter, in that order, or "".
   */
  params(name?: string): string | Record<string, Readonly<Record<string, string>>> {
    const path = this.request.path ?? {};
    const querystring = this.request.querystring ?? {};
    if (name === undefined) return { path, querystring, header: this.request.headers };
    return path[name] ?? querystring[name] ?? headerValue(this.request.headers, name) ?? '';
  }

  private document(): unknown {
    this.parsedBody ??= { value: JSON.parse(this.request.body) };
    return this.parsedBody.value;
  }
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === wanted);
  return key === undefined ? undefined : headers[key];
}

/**
 * `$util.escapeJavaScript(text)`: JavaScript string escaping as Apache Commons Lang's
 * `StringEscapeUtils.escapeJavaScript` does it (whose javadoc API Gateway's description repeats):
 * `'` becomes `\'` (not valid JSON, as the documentation warns), `/` becomes `\/`, and every UTF-16
 * unit outside printable ASCII becomes `\uXXXX` (upper-case hex).
 */
export function escapeJavaScript(text: string): string {
  let escaped = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const char = text[i]!;
    if (unit > 0x7f) escaped += `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}`;
    else if (unit < 0x20) escaped += CONTROL_ESCAPES[char] ?? `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}`;
    else escaped += PRINTABLE_ESCAPES[char] ?? char;
  }
  return escaped;
}

const CONTROL_ESCAPES: Readonly<Record<string, string>> = {
  '\b': '\\b',
  '\n': '\\n',
  '\t': '\\t',
  '\f': '\\f',
  '\r': '\\r',
};
const PRINTABLE_ESCAPES: Readonly<Record<string, string>> = { "'": "\\'", '"': '\\"', '\\': '\\\\', '/': '\\/' };

/** `$util`: the helper functions the templates use. */
export interface MappingTemplateUtil {
  /** `$util.base64Encode(text)`: base64 of the text's UTF-8 bytes. */
  base64Encode(text: string): string;
  /** `$util.escapeJavaScript(text)`: see {@link escapeJavaScript}. */
  escapeJavaScript(text: string): string;
  /** `$util.parseJson(text)`: the object a JSON string represents. */
  parseJson(text: string): unknown;
}

/** The variables of one template rendering: `$input`, `$util`, `$context`. */
export interface MappingTemplateVariables {
  readonly input: MappingTemplateInput;
  readonly util: MappingTemplateUtil;
  readonly context: MappingTemplateContext;
  [name: string]: unknown;
}

/** Fresh variables for one rendering (engines may attach helpers to the objects they call). */
export function mappingTemplateVariables(
  request: MappingTemplateRequest,
  context: MappingTemplateContext,
): MappingTemplateVariables {
  const util: MappingTemplateUtil = {
    base64Encode: (text) => Buffer.from(String(text), 'utf8').toString('base64'),
    escapeJavaScript: (text) => escapeJavaScript(String(text)),
    parseJson: (text) => JSON.parse(String(text)) as unknown,
  };
  return { input: new MappingTemplateInput(request), util, context: { ...context } };
}

import { SharedError } from '../shared-error';

/** A mapping template that does not parse: which template, which line (1-based), and why. */
export class MappingTemplateSyntaxError extends SharedError {
  readonly code = 'MAPPING_TEMPLATE_SYNTAX';
  constructor(
    readonly templateName: string,
    readonly line: number | undefined,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`mapping template "${templateName}"${line === undefined ? '' : ` line ${line}`}: ${detail}`, options);
    this.name = 'MappingTemplateSyntaxError';
  }
}

// Comments and unparsed content (`## …`, `#* … *#`, `#[[ … ]]#`) hold no directives.
const NON_DIRECTIVE_TEXT = /##[^\n]*|#\*[\s\S]*?\*#|#\[\[[\s\S]*?\]\]#/g;
const BLOCK_DIRECTIVE =
  /(\\*)#(?:\{(if|foreach|macro|define|end)\}|(if|foreach|macro|define)(?=\s*\()|(end)(?![\w-]))/g;

/**
 * Throws when a `#if`/`#foreach`/`#macro`/`#define` has no `#end`, or an `#end` closes nothing.
 * Velocity 1.7 rejects both at parse time; velocityjs accepts them and renders something else, so
 * the local endpoint checks this itself before rendering.
 */
export function checkBlockDirectives(templateName: string, text: string): void {
  const searchable = text.replace(NON_DIRECTIVE_TEXT, (comment) => comment.replace(/[^\n]/g, ' '));
  const open: Array<{ directive: string; line: number }> = [];
  for (const match of searchable.matchAll(BLOCK_DIRECTIVE)) {
    if (match[1]!.length % 2 === 1) continue; // `\#end` is text
    const directive = (match[2] ?? match[3] ?? match[4])!;
    const line = lineAt(searchable, match.index + match[1]!.length);
    if (directive !== 'end') open.push({ directive, line });
    else if (open.pop() === undefined) throw new MappingTemplateSyntaxError(templateName, line, '#end closes no block');
  }
  const unclosed = open.pop();
  if (unclosed) throw new MappingTemplateSyntaxError(templateName, unclosed.line, `#${unclosed.directive} has no #end`);
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

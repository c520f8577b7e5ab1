/**
 * The summary an approver reads before a saved plan is applied: per stack, resources added, changed,
 * destroyed and replaced, every IAM and security-group change by address, and the downstream plans
 * apply will refuse because an upstream plan changes outputs they read. Pure: it reads the documents
 * `terraform show -json <plan>` writes (format 1.x) and returns data and Markdown.
 */
import { InfraError } from '../infra-error';

/** What one resource change does, in Terraform's words (a replacement is one action, not two). */
export type ChangeAction = 'create' | 'update' | 'delete' | 'replace' | 'forget';

/** The part of a `terraform show -json` plan document the summary reads. */
export interface TerraformPlanJson {
  format_version?: string;
  resource_changes?: TerraformResourceChange[];
  output_changes?: Record<string, { actions: string[] }>;
}

/** One element of `resource_changes`. */
export interface TerraformResourceChange {
  address: string;
  mode: 'managed' | 'data';
  type: string;
  change: { actions: string[]; before?: unknown; after?: unknown; after_unknown?: unknown; replace_paths?: unknown[][] };
}

/** One stack's plan, as the summary takes it. */
export interface StackPlanInput {
  stack: string;
  plan: TerraformPlanJson;
  /** Outputs of other stacks this stack's configuration reads: upstream stack → output names. @default none */
  reads?: Record<string, string[]>;
}

export interface ResourceChange {
  address: string;
  type: string;
  action: ChangeAction;
  /** Top-level attributes whose value changes (updates and replacements). */
  attributes: string[];
}

export interface StackSummary {
  stack: string;
  counts: Record<'add' | 'change' | 'destroy' | 'replace', number>;
  changes: ResourceChange[];
  /** IAM (`aws_iam_*`) and security-group changes of this stack. */
  sensitive: ResourceChange[];
  /** Outputs the plan creates, changes or removes. */
  outputChanges: string[];
}

/** A downstream plan that read upstream outputs this run's upstream plan changes: apply refuses it (re-plan after). */
export interface StalePlanPrediction {
  stack: string;
  upstream: string;
  outputs: string[];
}

export interface PlanSummary {
  environment: string;
  stacks: StackSummary[];
  totals: StackSummary['counts'];
  /** Every IAM and security-group change of every stack, with its stack. */
  sensitive: Array<ResourceChange & { stack: string }>;
  stale: StalePlanPrediction[];
  /** True when no stack changes a resource or an output. */
  noChanges: boolean;
}

export class PlanFormatError extends InfraError {
  readonly code = 'PLAN_FORMAT';
  constructor(
    /** The stack whose plan document was not understood. */
    readonly planStack: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`plan of ${planStack}: ${message}`, options);
    this.name = 'PlanFormatError';
  }
}

/** Resource types whose changes an approver must see by address. */
export function isSensitiveType(type: string): boolean {
  return type.startsWith('aws_iam_') || type.startsWith('aws_security_group') || type.startsWith('aws_vpc_security_group_');
}

/** Terraform's action list as one action, or undefined for no-op and data reads. */
export function changeAction(actions: string[]): ChangeAction | undefined {
  const key = actions.join(',');
  switch (key) {
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'delete':
      return 'delete';
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    case 'forget':
      return 'forget';
    case 'no-op':
    case 'read':
    case '':
      return undefined;
    default:
      throw new RangeError(`unknown Terraform change actions: [${actions.join(', ')}]`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isEmpty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);

/**
 * Top-level attributes whose known value changes, plus those that force a replacement. Values only
 * known after apply (ids, ARNs of a replaced resource) and empty-to-empty changes are not listed.
 */
function changedAttributes(change: TerraformResourceChange['change']): string[] {
  const before = isObject(change.before) ? change.before : {};
  const after = isObject(change.after) ? change.after : {};
  const unknown = isObject(change.after_unknown) ? change.after_unknown : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = keys.filter(
    (key) => (unknown[key] === undefined || unknown[key] === false) && !(isEmpty(before[key]) && isEmpty(after[key])) && JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
  const forcing = (change.replace_paths ?? []).map((p) => String(p[0]));
  return [...new Set([...changed, ...forcing])].filter((key) => key !== 'tags_all' || !changed.includes('tags')).sort();
}

/** The summary of one stack's plan. */
export function summarizeStack(input: StackPlanInput): StackSummary {
  if (!Array.isArray(input.plan.resource_changes ?? [])) throw new PlanFormatError(input.stack, 'resource_changes is not a list');
  const changes: ResourceChange[] = [];
  for (const resource of input.plan.resource_changes ?? []) {
    if (resource.mode !== 'managed') continue;
    let action: ChangeAction | undefined;
    try {
      action = changeAction(resource.change.actions);
    } catch (error) {
      throw new PlanFormatError(input.stack, `${resource.address}: ${(error as Error).message}`, { cause: error });
    }
    if (!action) continue;
    changes.push({ address: resource.address, type: resource.type, action, attributes: action === 'update' || action === 'replace' ? changedAttributes(resource.change) : [] });
  }
  changes.sort((a, b) => a.address.localeCompare(b.address));
  const count = (action: ChangeAction) => changes.filter((c) => c.action === action).length;
  return {
    stack: input.stack,
    counts: { add: count('create'), change: count('update'), destroy: count('delete'), replace: count('replace') },
    changes,
    sensitive: changes.filter((c) => isSensitiveType(c.type)),
    outputChanges: Object.entries(input.plan.output_changes ?? {})
      .filter(([, change]) => changeAction(change.actions) !== undefined)
      .map(([name]) => name)
      .sort(),
  };
}

/** The summary of every stack of an environment, given in deploy order. */
export function summarizePlans(environment: string, inputs: StackPlanInput[]): PlanSummary {
  const stacks = inputs.map(summarizeStack);
  const byName = new Map(stacks.map((s) => [s.stack, s]));
  const totals = { add: 0, change: 0, destroy: 0, replace: 0 };
  for (const stack of stacks) for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += stack.counts[key];
  const stale: StalePlanPrediction[] = [];
  for (const input of inputs) {
    for (const [upstream, outputs] of Object.entries(input.reads ?? {})) {
      const changing = outputs.filter((name) => byName.get(upstream)?.outputChanges.includes(name)).sort();
      if (changing.length > 0) stale.push({ stack: input.stack, upstream, outputs: changing });
    }
  }
  return {
    environment,
    stacks,
    totals,
    sensitive: stacks.flatMap((s) => s.sensitive.map((change) => ({ stack: s.stack, ...change }))),
    stale,
    noChanges: stacks.every((s) => s.changes.length === 0 && s.outputChanges.length === 0),
  };
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** The summary as Markdown: totals, the IAM and security-group changes, refusals to expect, then each changing stack. */
export function renderPlanSummary(summary: PlanSummary): string {
  const lines = [`# Terraform plan: ${summary.environment}`, ''];
  const { add, change, destroy, replace } = summary.totals;
  lines.push(
    summary.noChanges
      ? 'No changes: every stack matches its configuration.'
      : `${add} to add, ${change} to change, ${destroy} to destroy, ${replace} to replace across ${summary.stacks.filter((s) => s.changes.length > 0).length} of ${summary.stacks.length} stacks.`,
    '',
    '| stack | add | change | destroy | replace | outputs |',
    '|---|---:|---:|---:|---:|---:|',
    ...summary.stacks.map((s) => `| ${s.stack} | ${s.counts.add} | ${s.counts.change} | ${s.counts.destroy} | ${s.counts.replace} | ${s.outputChanges.length} |`),
    '',
    `## IAM and security-group changes (${summary.sensitive.length})`,
    '',
  );
  if (summary.sensitive.length === 0) lines.push('None.', '');
  else {
    lines.push('| stack | address | action | attributes |', '|---|---|---|---|');
    for (const c of summary.sensitive) lines.push(`| ${c.stack} | ${code(c.address)} | **${c.action}** | ${c.attributes.map(code).join(', ')} |`);
    lines.push('');
  }
  if (summary.stale.length > 0) {
    lines.push('## Plans apply will refuse', '', 'These stacks were planned against outputs that an earlier stack of this run changes. Apply stops before them; the next run plans them against the new values.', '');
    for (const s of summary.stale) lines.push(`- ${s.stack}: reads ${s.outputs.map(code).join(', ')} of ${s.upstream}`);
    lines.push('');
  }
  for (const stack of summary.stacks) {
    if (stack.changes.length === 0 && stack.outputChanges.length === 0) continue;
    lines.push(`## ${stack.stack}`, '');
    for (const c of stack.changes) lines.push(`- ${c.action} ${code(c.address)}${c.attributes.length ? ` (${c.attributes.map(code).join(', ')})` : ''}`);
    if (stack.outputChanges.length) lines.push(`- outputs changed: ${stack.outputChanges.map(code).join(', ')}`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

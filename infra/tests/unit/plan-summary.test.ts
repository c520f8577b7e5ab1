import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  changeAction,
  isSensitiveType,
  PlanFormatError,
  renderPlanSummary,
  summarizePlans,
  summarizeStack,
  type TerraformPlanJson,
} from '../../src/terraform/plan-summary';

const fixture = (name: string) => JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'terraform-plans', `${name}.json`), 'utf8')) as TerraformPlanJson;

describe('one change action per resource', () => {
  test.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete'], 'delete'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['forget'], 'forget'],
    [['no-op'], undefined],
    [['read'], undefined],
  ] as const)('%j → %s', (actions, expected) => {
    expect(changeAction([...actions])).toBe(expected);
  });

  test('an action list Terraform does not write is refused, naming it', () => {
    expect(() => changeAction(['update', 'delete'])).toThrow('unknown Terraform change actions: [update, delete]');
  });
});

describe('which changes an approver must see by address', () => {
  test.each([
    ['aws_iam_role', true],
    ['aws_iam_role_policy', true],
    ['aws_iam_policy', true],
    ['aws_iam_instance_profile', true],
    ['aws_security_group', true],
    ['aws_security_group_rule', true],
    ['aws_vpc_security_group_ingress_rule', true],
    ['aws_vpc_security_group_egress_rule', true],
    ['aws_vpc', false],
    ['aws_kms_key', false],
    ['aws_s3_bucket_policy', false],
  ])('%s → %s', (type, expected) => {
    expect(isSensitiveType(type)).toBe(expected);
  });
});

describe('a real plan with every kind of change', () => {
  const summary = summarizeStack({ stack: 'fixture', plan: fixture('changes') });

  test('counts: the replacement is one replace, not an add and a destroy; no-ops and the VPC are not changes', () => {
    expect(summary.counts).toEqual({ add: 1, change: 2, destroy: 1, replace: 1 });
    expect(summary.changes.map((c) => [c.address, c.action])).toEqual([
      ['aws_iam_role_policy.collector', 'create'],
      ['aws_iam_role.collector', 'update'],
      ['aws_kinesis_stream.events', 'update'],
      ['aws_security_group.collector', 'replace'],
      ['aws_sqs_queue.old', 'delete'],
    ]);
  });

  test('every IAM and security-group change is called out, with the attributes that change', () => {
    expect(summary.sensitive).toEqual([
      { address: 'aws_iam_role_policy.collector', type: 'aws_iam_role_policy', action: 'create', attributes: [] },
      { address: 'aws_iam_role.collector', type: 'aws_iam_role', action: 'update', attributes: ['assume_role_policy'] },
      expect.objectContaining({ address: 'aws_security_group.collector', action: 'replace' }),
    ]);
    expect(summary.sensitive[2]!.attributes).toEqual(['name']);
  });

  test('outputs that change are listed (only those)', () => {
    expect(summary.outputChanges).toEqual(['role_name']);
  });
});

describe('the plan made right after applying it', () => {
  test('no changes at all', () => {
    const summary = summarizePlans('dev', [{ stack: 'fixture', plan: fixture('no-changes') }]);
    expect(summary.noChanges).toBe(true);
    expect(summary.totals).toEqual({ add: 0, change: 0, destroy: 0, replace: 0 });
    expect(renderPlanSummary(summary)).toContain('No changes: every stack matches its configuration.');
  });
});

describe('an environment', () => {
  const summary = summarizePlans('prod', [
    { stack: 'ingest-lake-prod-lake', plan: fixture('no-changes') },
    { stack: 'ingest-lake-prod-network', plan: fixture('changes') },
    { stack: 'ingest-lake-prod-collector', plan: fixture('no-changes'), reads: { 'ingest-lake-prod-network': ['role_name', 'stream_arn'], 'ingest-lake-prod-lake': ['role_name'] } },
  ]);

  test('totals add up the stacks; one change anywhere means changes', () => {
    expect(summary.totals).toEqual({ add: 1, change: 2, destroy: 1, replace: 1 });
    expect(summary.noChanges).toBe(false);
    expect(summary.sensitive.map((c) => `${c.stack} ${c.address} ${c.action}`)).toEqual([
      'ingest-lake-prod-network aws_iam_role_policy.collector create',
      'ingest-lake-prod-network aws_iam_role.collector update',
      'ingest-lake-prod-network aws_security_group.collector replace',
    ]);
  });

  test('a downstream plan that read an output its upstream plan changes is predicted stale, naming the output', () => {
    expect(summary.stale).toEqual([{ stack: 'ingest-lake-prod-collector', upstream: 'ingest-lake-prod-network', outputs: ['role_name'] }]);
  });

  test('the Markdown names every IAM and security-group change, the refusal to expect, and each changing stack', () => {
    const markdown = renderPlanSummary(summary);
    expect(markdown).toContain('1 to add, 2 to change, 1 to destroy, 1 to replace across 1 of 3 stacks.');
    expect(markdown).toContain('| ingest-lake-prod-network | 1 | 2 | 1 | 1 | 1 |');
    expect(markdown).toContain('## IAM and security-group changes (3)');
    expect(markdown).toContain('| ingest-lake-prod-network | `aws_iam_role.collector` | **update** | `assume_role_policy` |');
    expect(markdown).toContain('| ingest-lake-prod-network | `aws_security_group.collector` | **replace** |');
    expect(markdown).toContain('- ingest-lake-prod-collector: reads `role_name` of ingest-lake-prod-network');
    expect(markdown).toContain('## ingest-lake-prod-network\n\n- create `aws_iam_role_policy.collector`');
    expect(markdown).not.toContain('## ingest-lake-prod-lake');
  });
});

describe('documents the summary does not understand', () => {
  test('an unknown action names the stack and the resource', () => {
    const plan: TerraformPlanJson = { resource_changes: [{ address: 'aws_s3_bucket.b', mode: 'managed', type: 'aws_s3_bucket', change: { actions: ['update', 'delete'] } }] };
    expect(() => summarizeStack({ stack: 'ingest-lake-dev-lake', plan })).toThrow(PlanFormatError);
    expect(() => summarizeStack({ stack: 'ingest-lake-dev-lake', plan })).toThrow('plan of ingest-lake-dev-lake: aws_s3_bucket.b: unknown Terraform change actions');
  });

  test('data sources read during the plan are not changes', () => {
    const plan: TerraformPlanJson = { resource_changes: [{ address: 'data.aws_iam_policy_document.p', mode: 'data', type: 'aws_iam_policy_document', change: { actions: ['read'] } }] };
    expect(summarizeStack({ stack: 's', plan }).changes).toEqual([]);
  });
});

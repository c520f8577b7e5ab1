/**
 * Security policy rules, evaluated on a stack's synthesized Terraform JSON (so they see exactly
 * what Terraform will apply). Each rule returns violations naming the resource and what to fix.
 */

export interface Violation {
  rule: string;
  resource: string;
  message: string;
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;
export interface StackJson {
  provider?: { aws?: Array<{ default_tags?: Array<{ tags?: Record<string, string> }> }> };
  resource?: Resources;
  data?: Resources;
}

export const REQUIRED_TAGS = ['project', 'environment', 'owner', 'cost-centre'] as const;

const entries = (json: StackJson, kind: 'resource' | 'data', type: string) =>
  Object.entries(json[kind]?.[type] ?? {}) as Array<[string, Record<string, unknown>]>;

/** True when a value (possibly a Terraform reference string) points at `<type>.<name>`. */
const refersTo = (value: unknown, type: string, name: string) => typeof value === 'string' && value.includes(`${type}.${name}.`);

interface PolicyStatement {
  effect?: string;
  actions?: string[];
  resources?: string[];
  principals?: unknown[];
  condition?: Array<{ test?: string; variable?: string; values?: string[] }>;
}

function statementsOf(json: StackJson, reference: unknown): PolicyStatement[] {
  for (const [name, document] of entries(json, 'data', 'aws_iam_policy_document')) {
    if (refersTo(reference, 'data.aws_iam_policy_document', name)) return (document.statement as PolicyStatement[]) ?? [];
  }
  return [];
}

type Rule = (json: StackJson) => Violation[];

const rules: Record<string, Rule> = {
  's3-encryption': (json) =>
    entries(json, 'resource', 'aws_s3_bucket').flatMap(([name, bucket]) => {
      const sse = entries(json, 'resource', 'aws_s3_bucket_server_side_encryption_configuration').find(([, c]) => refersTo(c.bucket, 'aws_s3_bucket', name));
      if (!sse) return [{ rule: 's3-encryption', resource: `aws_s3_bucket.${name}`, message: 'no default encryption configuration' }];
      const algorithm = JSON.stringify(sse[1].rule);
      // S3 server access logs can only be delivered to SSE-S3 buckets: the one documented exception.
      const accessLogBucket = String(bucket.bucket ?? '').endsWith('access-logs');
      return algorithm.includes('aws:kms') || accessLogBucket
        ? []
        : [{ rule: 's3-encryption', resource: `aws_s3_bucket.${name}`, message: 'default encryption must use a KMS key (aws:kms)' }];
    }),
  's3-public-access': (json) =>
    entries(json, 'resource', 'aws_s3_bucket').flatMap(([name]) => {
      const block = entries(json, 'resource', 'aws_s3_bucket_public_access_block').find(([, b]) => refersTo(b.bucket, 'aws_s3_bucket', name));
      const complete = block && ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every((k) => block[1][k] === true);
      return complete ? [] : [{ rule: 's3-public-access', resource: `aws_s3_bucket.${name}`, message: 'public access must be blocked (all four settings true)' }];
    }),
  's3-tls-only': (json) =>
    entries(json, 'resource', 'aws_s3_bucket').flatMap(([name]) => {
      const policy = entries(json, 'resource', 'aws_s3_bucket_policy').find(([, p]) => refersTo(p.bucket, 'aws_s3_bucket', name));
      const denies = policy
        ? statementsOf(json, policy[1].policy).some(
            (s) => s.effect === 'Deny' && (s.condition ?? []).some((c) => c.variable === 'aws:SecureTransport' && c.values?.includes('false')),
          )
        : false;
      return denies ? [] : [{ rule: 's3-tls-only', resource: `aws_s3_bucket.${name}`, message: 'bucket policy must deny requests without TLS (aws:SecureTransport=false)' }];
    }),
  'kinesis-encryption': (json) =>
    entries(json, 'resource', 'aws_kinesis_stream')
      .filter(([, s]) => s.encryption_type !== 'KMS' || !s.kms_key_id)
      .map(([name]) => ({ rule: 'kinesis-encryption', resource: `aws_kinesis_stream.${name}`, message: 'stream must be KMS-encrypted' })),
  'firehose-encryption': (json) =>
    entries(json, 'resource', 'aws_kinesis_firehose_delivery_stream').flatMap(([name, stream]) => {
      const s3 = (stream.extended_s3_configuration as Record<string, unknown> | undefined) ?? {};
      const backup = (s3.s3_backup_configuration as Record<string, unknown> | undefined) ?? {};
      return s3.kms_key_arn && (s3.s3_backup_mode !== 'Enabled' || backup.kms_key_arn)
        ? []
        : [{ rule: 'firehose-encryption', resource: `aws_kinesis_firehose_delivery_stream.${name}`, message: 'destination and backup must use a KMS key' }];
    }),
  'logs-encryption-retention': (json) =>
    entries(json, 'resource', 'aws_cloudwatch_log_group')
      .filter(([, g]) => !g.kms_key_id || !g.retention_in_days)
      .map(([name]) => ({ rule: 'logs-encryption-retention', resource: `aws_cloudwatch_log_group.${name}`, message: 'log group needs kms_key_id and retention_in_days' })),
  'athena-results-encryption': (json) =>
    entries(json, 'resource', 'aws_athena_workgroup').flatMap(([name, wg]) => {
      const text = JSON.stringify(wg.configuration ?? {});
      return text.includes('"enforce_workgroup_configuration":true') && text.includes('SSE_KMS')
        ? []
        : [{ rule: 'athena-results-encryption', resource: `aws_athena_workgroup.${name}`, message: 'workgroup must enforce KMS-encrypted results' }];
    }),
  'ec2-imdsv2-no-public-ip': (json) =>
    entries(json, 'resource', 'aws_launch_template').flatMap(([name, template]) => {
      const text = JSON.stringify(template);
      const problems: Violation[] = [];
      if (!text.includes('"http_tokens":"required"')) problems.push({ rule: 'ec2-imdsv2-no-public-ip', resource: `aws_launch_template.${name}`, message: 'IMDSv2 must be required (http_tokens = required)' });
      if (!text.includes('"associate_public_ip_address":"false"')) problems.push({ rule: 'ec2-imdsv2-no-public-ip', resource: `aws_launch_template.${name}`, message: 'instances must not get a public IP' });
      if (template.key_name) problems.push({ rule: 'ec2-imdsv2-no-public-ip', resource: `aws_launch_template.${name}`, message: 'no SSH key pair: use SSM Session Manager' });
      return problems;
    }),
  'no-open-ingress': (json) =>
    [
      ...entries(json, 'resource', 'aws_security_group').flatMap(([name, group]) =>
        ((group.ingress as Array<Record<string, unknown>> | undefined) ?? []).map((rule) => ({ name: `aws_security_group.${name}`, rule })),
      ),
      ...entries(json, 'resource', 'aws_vpc_security_group_ingress_rule').map(([name, rule]) => ({ name: `aws_vpc_security_group_ingress_rule.${name}`, rule: { cidr_blocks: [rule.cidr_ipv4], ipv6_cidr_blocks: [rule.cidr_ipv6] } })),
    ]
      .filter(({ rule }) => [...((rule.cidr_blocks as unknown[]) ?? []), ...((rule.ipv6_cidr_blocks as unknown[]) ?? [])].some((c) => c === '0.0.0.0/0' || c === '::/0'))
      .map(({ name }) => ({ rule: 'no-open-ingress', resource: name, message: 'ingress from 0.0.0.0/0 or ::/0 is not allowed' })),
  'iam-no-wildcard-admin': (json) =>
    entries(json, 'data', 'aws_iam_policy_document').flatMap(([name, document]) =>
      ((document.statement as PolicyStatement[]) ?? [])
        // Statements with principals are resource policies (KMS key, bucket): their account-root or Deny statements are not grants.
        .filter((s) => !s.principals && (s.effect ?? 'Allow') === 'Allow')
        .filter((s) => (s.actions ?? []).some((a) => a === '*' || a.endsWith(':*')) && (s.resources ?? []).includes('*'))
        .map(() => ({ rule: 'iam-no-wildcard-admin', resource: `data.aws_iam_policy_document.${name}`, message: 'no wildcard actions on "*" resources' })),
    ),
  'iam-no-account-wildcard': (json) =>
    entries(json, 'data', 'aws_iam_policy_document').flatMap(([name, document]) =>
      ((document.statement as PolicyStatement[]) ?? [])
        .flatMap((s) => s.resources ?? [])
        // arn:aws:<service>:<region>:*:<resource> matches that resource in every account.
        .filter((arn) => /^arn:aws[a-z-]*:[^:]+:[^:]*:\*:/.test(arn))
        .map((arn) => ({ rule: 'iam-no-account-wildcard', resource: `data.aws_iam_policy_document.${name}`, message: `${arn}: name this account (aws_caller_identity), not every account` })),
    ),
  'iam-managed-policy-attachments': (json) =>
    entries(json, 'resource', 'aws_iam_role')
      .filter(([, role]) => role.managed_policy_arns !== undefined)
      .map(([name]) => ({
        rule: 'iam-managed-policy-attachments',
        resource: `aws_iam_role.${name}`,
        message: 'managed_policy_arns is deprecated: attach each policy with aws_iam_role_policy_attachment',
      })),
  'sns-encryption': (json) =>
    entries(json, 'resource', 'aws_sns_topic')
      .filter(([, t]) => !t.kms_master_key_id)
      .map(([name]) => ({ rule: 'sns-encryption', resource: `aws_sns_topic.${name}`, message: 'topic must be KMS-encrypted' })),
  'tags-everywhere': (json) => {
    const tags = json.provider?.aws?.[0]?.default_tags?.[0]?.tags ?? {};
    const missing = REQUIRED_TAGS.filter((tag) => !tags[tag]);
    return missing.length === 0 ? [] : [{ rule: 'tags-everywhere', resource: 'provider.aws', message: `default tags must include ${missing.join(', ')}` }];
  },
};

export const POLICY_RULE_NAMES = Object.keys(rules);

/** Runs every rule on one stack's synthesized JSON. */
export function checkPolicies(json: StackJson): Violation[] {
  return Object.values(rules).flatMap((rule) => rule(json));
}

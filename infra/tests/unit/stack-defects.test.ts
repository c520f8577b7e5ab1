import { readFileSync } from 'node:fs';
import { vendorApiKeyParameterName } from '@ingest-lake/shared';
import { ConfigError, loadEnvironmentConfig, parseEnvironmentConfig } from '../../src/config/environment-config';
import { athenaWorkgroupName } from '../../src/stacks/analytics-stack';
import { GLUE_SQL_RUNNER_SCRIPT_PATH } from '../../src/stacks/catalog-stack';
import { cleanUpApps, environment, resources, synth } from './support';

/** Stack defects found against the AWS and Terraform documentation (docs/deploy.md), each pinned by what the synthesized Terraform must now say. */

afterAll(cleanUpApps);

type Json = ReturnType<typeof synth>;
interface Statement {
  actions?: string[];
  resources?: string[];
}

/** Every statement of every IAM policy document in a stack. */
const statements = (json: Json): Statement[] =>
  Object.values(json.data?.aws_iam_policy_document ?? {}).flatMap((d) => (d.statement as Statement[]) ?? []);
const grantsOf = (json: Json, action: string) => statements(json).filter((s) => s.actions?.includes(action));
const ACCOUNT_ID = /\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}/;
const userDataOf = (json: Json) =>
  Buffer.from(String(resources(json, 'aws_launch_template')[0]!.user_data), 'base64').toString();

describe('collector', () => {
  test('the group uses the launch template by its latest version number, so a new template version starts the instance refresh', () => {
    const group = resources(synth(environment('dev').collector), 'aws_autoscaling_group')[0]!;
    const launchTemplate = group.launch_template as { id: string; version: string };
    expect(launchTemplate.version).not.toBe('$Latest');
    expect(launchTemplate.version).toMatch(/^\$\{aws_launch_template\.[\w-]+\.latest_version\}$/);
    expect(launchTemplate.id).toMatch(/^\$\{aws_launch_template\.[\w-]+\.id\}$/);
    expect(group.instance_refresh).toMatchObject({ strategy: 'Rolling' });
  });

  test.each(['dev', 'prod'])(
    '%s: the instance reads the vendor key from the parameter its role may read, in this account only',
    (name) => {
      const json = synth(environment(name).collector);
      const parameter = vendorApiKeyParameterName('ingest-lake', name);
      expect(userDataOf(json)).toContain(`\nCOLLECTOR_API_KEY_PARAMETER=${parameter}\n`);
      const [grant, ...others] = grantsOf(json, 'ssm:GetParameter');
      expect(others).toEqual([]);
      expect(grant!.resources).toHaveLength(1);
      const arn = grant!.resources![0]!;
      expect(arn.replace(ACCOUNT_ID, '<account>')).toBe(`arn:aws:ssm:ap-northeast-2:<account>:parameter${parameter}`);
      // The SecureString uses the AWS-managed aws/ssm key: no KMS grant beyond the lake key's.
      const kmsResources = statements(json)
        .filter((s) => s.actions?.some((a) => a.startsWith('kms:')))
        .flatMap((s) => s.resources ?? []);
      expect(kmsResources.every((r) => /^\$\{aws_kms_key\.|^\$\{data\.terraform_remote_state\./.test(r))).toBe(true);
    },
  );

  test('the root volume is encrypted with the account EBS default key, which the Auto Scaling service-linked role can use', () => {
    const template = resources(synth(environment('prod').collector), 'aws_launch_template')[0]!;
    const disk = (template.block_device_mappings as Array<{ ebs: Record<string, unknown> }>)[0]!.ebs;
    expect(disk.encrypted).toBe('true');
    expect(disk.kms_key_id).toBeUndefined();
  });
});

describe('catalog: the versioned-SQL Glue job', () => {
  const json = () => synth(environment('dev').catalog);

  test('is a valid Python shell job: Glue 3.0 for Python 3.9, no Spark-only arguments, a security configuration', () => {
    const stack = json();
    const job = resources(stack, 'aws_glue_job')[0]!;
    expect(job).toMatchObject({
      glue_version: '3.0',
      command: { name: 'pythonshell', python_version: '3.9' },
      max_capacity: 0.0625,
    });
    expect(
      Object.keys(job.default_arguments as object).filter(
        (a) => a.startsWith('--continuous-log') || a.startsWith('--enable-continuous'),
      ),
    ).toEqual([]);
    expect(String(job.security_configuration)).toMatch(/^\$\{aws_glue_security_configuration\.[\w-]+\.name\}$/);
    const security = resources(stack, 'aws_glue_security_configuration')[0]!;
    expect(security.encryption_configuration).toMatchObject({
      cloudwatch_encryption: { cloudwatch_encryption_mode: 'SSE-KMS' },
      s3_encryption: { s3_encryption_mode: 'SSE-KMS' },
    });
    // No custom log group for a Python shell job: its logs go to Glue's /aws-glue/python-jobs/* groups.
    expect(resources(stack, 'aws_cloudwatch_log_group').filter((g) => String(g.name).startsWith('/aws-glue/'))).toEqual(
      [],
    );
    expect(
      grantsOf(stack, 'logs:AssociateKmsKey')
        .flatMap((s) => s.resources ?? [])
        .map((r) => r.replace(ACCOUNT_ID, '<account>')),
    ).toEqual(['arn:aws:logs:ap-northeast-2:<account>:log-group:/aws-glue/*']);
  });

  test('a daily scheduled trigger starts it', () => {
    const trigger = resources(json(), 'aws_glue_trigger')[0]!;
    expect(trigger).toMatchObject({ type: 'SCHEDULED', schedule: 'cron(30 6 * * ? *)', start_on_creation: true });
    expect((trigger.actions as Array<{ job_name: string }>)[0]!.job_name).toMatch(/^\$\{aws_glue_job\.[\w-]+\.name\}$/);
  });

  test('the Athena grant names this account, and the uploaded script is the tested file', () => {
    const stack = json();
    const athena = grantsOf(stack, 'athena:StartQueryExecution').flatMap((s) => s.resources ?? []);
    const workgroup = athenaWorkgroupName(loadEnvironmentConfig('dev'));
    expect(athena.map((r) => r.replace(ACCOUNT_ID, '<account>'))).toEqual([
      `arn:aws:athena:ap-northeast-2:<account>:workgroup/${workgroup}`,
    ]);
    const script = resources(stack, 'aws_s3_object').filter((o) => o.key === 'state/glue/run_versioned_sql.py');
    expect(script).toHaveLength(1);
    expect(script[0]!.content).toBe(readFileSync(GLUE_SQL_RUNNER_SCRIPT_PATH, 'utf8'));
    expect(resources(stack, 'aws_glue_job')[0]!.command).toMatchObject({
      script_location: expect.stringMatching(/\/state\/glue\/run_versioned_sql\.py$/),
    });
  });
});

describe('streaming', () => {
  test('prod: provisioned streams take the configured shard count once and leave it to the shard scaler afterwards', () => {
    const streams = resources(synth(environment('prod').streaming), 'aws_kinesis_stream');
    expect(streams.length).toBeGreaterThan(0);
    for (const stream of streams) {
      expect(stream.shard_count).toBe(1);
      expect(stream.lifecycle).toEqual({ ignore_changes: ['shard_count'] });
    }
  });

  test('dev: on-demand streams have no shard count to ignore', () => {
    for (const stream of resources(synth(environment('dev').streaming), 'aws_kinesis_stream'))
      expect(stream.lifecycle).toBeUndefined();
  });
});

describe('network: the collector needs a route to the vendor', () => {
  test('dev has one NAT gateway and the private subnets route through it', () => {
    const json = synth(environment('dev').network);
    expect(resources(json, 'aws_nat_gateway')).toHaveLength(1);
    const defaults = resources(json, 'aws_route').filter(
      (r) => r.destination_cidr_block === '0.0.0.0/0' && r.nat_gateway_id,
    );
    expect(defaults).toHaveLength(2);
  });

  test('a config without NAT is refused while the collector is deployed, naming the field', () => {
    const config = loadEnvironmentConfig('dev');
    const withoutNat = { ...config, network: { ...config.network, natGateways: 'none' } };
    expect(() => parseEnvironmentConfig(withoutNat, 'dev.json')).toThrow(ConfigError);
    expect(() => parseEnvironmentConfig(withoutNat, 'dev.json')).toThrow(
      'config dev.json: network.natGateways: "none" leaves the collector no route',
    );
  });
});

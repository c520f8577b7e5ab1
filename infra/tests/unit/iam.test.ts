import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cleanUpApps, environment, synth } from './support';

afterAll(cleanUpApps);

interface Statement {
  actions?: string[];
  principals?: Array<{ type: string; identifiers: string[] }>;
  condition?: Array<{ test: string; variable: string; values: string[] }>;
}

/** Every trust policy of every stack of an environment: service principal → its condition variables. */
function trustConditions(name: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const stack of Object.values(environment(name))) {
    const document = synth(stack);
    for (const [id, policy] of Object.entries(document.data?.aws_iam_policy_document ?? {})) {
      if (!id.includes('trust')) continue;
      for (const statement of policy.statement as Statement[]) {
        const service = statement.principals?.find((p) => p.type === 'Service')?.identifiers[0];
        if (service) found.set(service, (statement.condition ?? []).map((c) => `${c.test} ${c.variable}`));
      }
    }
  }
  return found;
}

describe('trust policies guard against the confused deputy where the service documents how', () => {
  test.each(['dev', 'prod'])('%s', (name) => {
    const conditions = trustConditions(name);
    expect(conditions.get('firehose.amazonaws.com')).toEqual(['StringEquals sts:ExternalId']);
    for (const service of ['vpc-flow-logs.amazonaws.com', 'codebuild.amazonaws.com', 'codepipeline.amazonaws.com']) {
      expect({ service, conditions: conditions.get(service) }).toEqual({ service, conditions: ['StringEquals aws:SourceAccount'] });
    }
    // No documented key: an instance profile, Lambda execution roles, Glue and API Gateway roles.
    for (const service of ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'glue.amazonaws.com', 'apigateway.amazonaws.com']) {
      expect({ service, conditions: conditions.get(service) }).toEqual({ service, conditions: [] });
    }
  });
});

describe('the lake key policy', () => {
  test('only CloudWatch Logs (for this account’s log groups) and CloudWatch alarms besides the account', () => {
    const document = synth(environment('dev').lake);
    const policy = Object.entries(document.data!.aws_iam_policy_document!).find(([id]) => id.startsWith('key_policy'))![1];
    const statements = policy.statement as Array<Statement & { sid: string }>;
    expect(statements.map((s) => s.sid)).toEqual(['AccountAdministersKeyAndDelegatesUseToIam', 'CloudWatchLogsEncryptsThisAccountsLogGroups', 'CloudWatchAlarmsPublishToEncryptedTopics']);
    const logs = statements[1]!;
    expect(logs.principals).toEqual([{ type: 'Service', identifiers: ['logs.ap-northeast-2.amazonaws.com'] }]);
    expect(logs.condition).toEqual([{ test: 'ArnLike', variable: 'kms:EncryptionContext:aws:logs:arn', values: [expect.stringMatching(/^arn:aws:logs:ap-northeast-2:\$\{data\.aws_caller_identity\.[^}]+\.account_id\}:log-group:\*$/)] }]);
    expect(statements[2]!.actions).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
  });
});

/** The lake key's actions in a role's inline policy, by the role's construct path. */
function keyActions(name: string, stackName: 'catalog' | 'collector' | 'delivery' | 'ingestApi', policyId: string): string[] {
  const document = synth(environment(name)[stackName]);
  const policy = Object.entries(document.data?.aws_iam_policy_document ?? {}).find(([id]) => id.startsWith(policyId))?.[1];
  const statements = (policy?.statement ?? []) as Array<{ actions: string[] }>;
  return statements.flatMap((s) => s.actions).filter((a) => a.startsWith('kms:')).sort();
}

describe('roles get the lake key only for what they do with the data', () => {
  test.each(['dev', 'prod'])('%s', (name) => {
    // Reads only: Decrypt.
    expect(keyActions(name, 'catalog', 'crawler-role_permissions')).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    // Multipart writers and readers (S3, Kinesis): GenerateDataKey and Decrypt, never Encrypt.
    expect(keyActions(name, 'collector', 'role_permissions')).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
    expect(keyActions(name, 'delivery', 'delivery-events_role_permissions')).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
    // Kinesis producers: GenerateDataKey only.
    expect(keyActions(name, 'ingestApi', 'kinesis-role_permissions')).toEqual(['kms:DescribeKey', 'kms:GenerateDataKey']);
  });
});

/** The statements of a role's inline policy, by the id its policy document starts with. */
function roleStatements(name: string, stackName: 'catalog' | 'collector' | 'monitoring' | 'pipeline', policyId: string): Array<Statement & { resources: string[] }> {
  const document = synth(environment(name)[stackName]!);
  const policy = Object.entries(document.data?.aws_iam_policy_document ?? {}).find(([id]) => id.startsWith(policyId))![1];
  return policy.statement as Array<Statement & { resources: string[] }>;
}

describe('grants no wider than what the code calls', () => {
  test('the collector puts records in batches only (its producer calls nothing else on Kinesis), and metrics in its own namespace only', () => {
    const statements = roleStatements('prod', 'collector', 'role_permissions');
    expect(statements.flatMap((s) => s.actions ?? []).filter((a) => a.startsWith('kinesis:'))).toEqual(['kinesis:PutRecords']);
    expect(statements.filter((s) => s.actions?.includes('cloudwatch:PutMetricData'))).toEqual([
      { actions: ['cloudwatch:PutMetricData'], resources: ['*'], condition: [{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: ['IngestLake/Collector'] }] },
    ]);
    expect(statements.filter((s) => s.actions?.includes('ssm:GetParameter'))).toEqual([
      { actions: ['ssm:GetParameter'], resources: [expect.stringMatching(/^arn:aws:ssm:ap-northeast-2:\$\{data\.aws_caller_identity\.account\.account_id\}:parameter\/ingest-lake\/prod\/vendor\/api-key$/)] },
    ]);
  });

  test('the versioned-SQL job starts queries in its workgroup and polls them, never reads results', () => {
    const athena = roleStatements('prod', 'catalog', 'job-role_permissions').filter((s) => s.actions?.some((a) => a.startsWith('athena:')));
    expect(athena).toEqual([{ actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution'], resources: [expect.stringMatching(/:workgroup\/ingest-lake-prod$/)] }]);
  });

  test('the shard scaler may rescale each provisioned stream, and read no record', () => {
    const kinesis = roleStatements('prod', 'monitoring', 'shard-scaler_role_permissions').filter((s) => s.actions?.some((a) => a.startsWith('kinesis:')));
    expect(kinesis.map((s) => s.actions)).toEqual([
      ['kinesis:DescribeStreamSummary', 'kinesis:UpdateShardCount'],
      ['kinesis:DescribeStreamSummary', 'kinesis:UpdateShardCount'],
    ]);
    expect(kinesis.flatMap((s) => s.resources).sort()).toEqual(['${aws_kinesis_stream.stream-app_market_daily.arn}', '${aws_kinesis_stream.stream-events.arn}']);
  });

  test('the pipeline runs exactly its three build projects', () => {
    const builds = roleStatements('prod', 'pipeline', 'pipeline-role_permissions').filter((s) => s.actions?.includes('codebuild:StartBuild'));
    expect(builds.flatMap((s) => s.resources)).toEqual(['test', 'plan', 'apply'].map((id) => `arn:aws:codebuild:ap-northeast-2:\${data.aws_caller_identity.account.account_id}:project/ingest-lake-prod-${id}`));
  });
});

describe('stacks write no IAM JSON: their permissions come from the constructs\' grant methods', () => {
  const stacksDir = path.resolve(__dirname, '../../src/stacks');
  test.each(readdirSync(stacksDir))('%s names no IAM action', (file) => {
    // `service:Action` string literals (an ARN continues with a lowercase partition after `arn:`).
    expect(readFileSync(path.join(stacksDir, file), 'utf8').match(/'[a-z0-9-]+:[A-Z*][A-Za-z*]*'/g) ?? []).toEqual([]);
  });
});
